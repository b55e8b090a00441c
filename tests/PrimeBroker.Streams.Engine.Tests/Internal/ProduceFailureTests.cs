using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>
/// Sends that throw (issue 13 finding 5, and finding 7's bound) through the engine's real transaction wrapper on the
/// in-memory cluster: the driver runs <see cref="KafkaTransaction"/> over in-memory producers and reacts to an
/// abortable error as the stream thread does (abort, roll every task back, redo the records).
/// </summary>
public sealed class ProduceFailureTests
{
    [Fact]
    public void ACommitMarkerWhoseProduceThrowsAbortsOnceAndTheNextCommitSucceeds()
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1, kafkaTransaction: true);
        app.PipeMany(6, keys: 2, commitEvery: 3);
        var thrown = 0;
        app.Driver.Cluster.FailProduce = (_, message) => CommitMarkers.IsMarker(message.Headers) && thrown < 1 && ++thrown > 0;
        app.PipeMany(4, keys: 2, firstValue: 7);
        var commits = app.Driver.CommitCount;

        app.Driver.Commit(); // the marker's send throws: abort, roll back, redo the 4 records

        Assert.Equal(1, thrown);
        Assert.Equal(commits, app.Driver.CommitCount);
        // Before the fix the failed send's callback stayed counted: this flush waited for it, timed out and aborted,
        // and so did every later commit, with no error but the aborts.
        app.Driver.Commit();
        Assert.Equal(commits + 1, app.Driver.CommitCount);
        Assert.Equal(0, ((KafkaDriverTransaction)app.Driver.Transaction).PendingCallbacks);
        app.AssertExact();
        AssertEachCountOutputOnce(app);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnOutputWhoseProduceThrowsIsRedoneAfterARollback(bool kafkaTransaction)
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1, kafkaTransaction: kafkaTransaction);
        app.PipeMany(4, keys: 2, commitEvery: 2);
        var thrown = 0;
        app.Driver.Cluster.FailProduce = (topic, _) => topic == CountingApp.OutputTopic && thrown < 2 && ++thrown > 0;

        app.PipeMany(3, keys: 2, firstValue: 5);
        app.Driver.Commit();

        Assert.Equal(2, thrown);
        app.AssertExact();
        AssertEachCountOutputOnce(app);
    }

    [Fact]
    public void ASendThatFailsEveryTimeStopsAfterTheAbortBoundInsteadOfLivelocking()
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1, kafkaTransaction: true);
        app.PipeMany(2, keys: 2, commitEvery: 2);
        var attempts = 0;
        app.Driver.Cluster.FailProduce = (topic, _) => topic == CountingApp.OutputTopic && ++attempts > 0;

        Assert.Throws<ProduceException<byte[], byte[]>>(() => app.Pipe("key-0"));

        Assert.Equal(RepeatedAborts.MaxPerRecord, attempts);
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
