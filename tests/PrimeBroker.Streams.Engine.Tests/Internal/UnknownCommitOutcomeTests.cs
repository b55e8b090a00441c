using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>
/// A commit whose EndTxn times out (issue 13 finding 6) on the in-memory cluster with real-cluster timing: the broker
/// may or may not have committed, and if it did, the markers land after the error. The driver reacts as the stream
/// thread does: a new producer (fencing the old transaction) and every task restored from the log. Each test runs with
/// the driver's plain in-memory transaction and with the engine's real <c>KafkaTransaction</c> over in-memory producers.
/// </summary>
public sealed class UnknownCommitOutcomeTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void ACommitWhoseEndTxnTimedOutIsReDerivedFromTheLogAndAppliedOnce(bool brokerCommitted, bool kafkaTransaction)
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1, kafkaTransaction: kafkaTransaction);
        app.PipeMany(6, keys: 2, commitEvery: 3);
        app.Driver.Cluster.MarkerDelay = TimeSpan.FromMilliseconds(300);
        app.Driver.Cluster.CommitTimeouts.Enqueue(brokerCommitted);
        app.PipeMany(4, keys: 2, firstValue: 7);
        var committedBefore = app.Driver.CommitCount;

        // Before: the attempt was rolled back in memory and processed again; when the broker had committed it, its
        // output was committed twice. Now the positions come from the log, after waiting for the late markers.
        app.Driver.Commit();

        var redone = app.Driver.TasksWithStore("counts").Single().UncommittedRecords;
        app.Driver.Commit();
        app.Driver.Cluster.DeliverMarkers();
        app.AssertExact();
        AssertEachCountOutputOnce(app);
        Assert.Equal(committedBefore + (brokerCommitted ? 0 : 1), app.Driver.CommitCount); // the timed-out commit did not count
        Assert.Equal(brokerCommitted ? 0 : 4, redone); // processed again only when the broker had not committed
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void CountsEachKeyExactlyOnceThroughRandomCrashesLateMarkersAndCommitTimeouts(bool emulateEmbeddedCluster, bool kafkaTransaction)
    {
        var random = new Random(20261202);
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster, partitions: 3, kafkaTransaction);
        var points = Enum.GetValues<CrashPoint>();

        for (var round = 0; round < 40; round++)
        {
            app.Driver.Cluster.MarkerDelay = TimeSpan.FromMilliseconds(random.Next(3) * 200);
            var records = random.Next(1, 12);
            for (var i = 0; i < records; i++)
            {
                app.Pipe($"key-{random.Next(7)}", random.Next(1, 100));
                if (random.Next(4) == 0)
                {
                    if (random.Next(3) == 0)
                    {
                        app.Driver.Cluster.CommitTimeouts.Enqueue(random.Next(2) == 0);
                    }

                    app.Driver.Commit();
                }
            }

            app.Driver.SimulateCrash(points[random.Next(points.Length)], wipeLocalState: random.Next(3) == 0);
            app.AssertExact();
        }

        app.Driver.Cluster.CommitTimeouts.Clear();
        app.Driver.Commit();
        app.Driver.Cluster.DeliverMarkers();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
    }

    private static void AssertEachCountOutputOnce(CountingApp app)
    {
        var output = app.Driver.CreateOutputTopic(CountingApp.OutputTopic, Serdes.String, Serdes.Int64).ReadRecordsToList();
        foreach (var group in output.GroupBy(r => r.Key))
        {
            Assert.Equal(Enumerable.Range(1, (int)app.ExpectedCounts[group.Key]).Select(i => (long)i), group.Select(r => r.Value));
        }
    }
}
