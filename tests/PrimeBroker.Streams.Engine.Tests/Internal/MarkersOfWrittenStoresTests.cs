using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Fakes;
using PrimeBroker.Streams.Engine.Tests.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>
/// A commit marks only the stores it writes, plus the primary (EXACTLY-ONCE.md, "Restore rules"): a secondary store left
/// clean keeps the marker of the last commit that wrote it, older than the primary's, and the restore accepts it; an
/// attempt after the primary's last marker that did not commit is dropped; an attempt that wrote a store and did not
/// commit is always followed by a commit that writes (repairs) that store again. Both isolations: readers that see
/// committed records only (a real cluster) and readers that see aborted and open transactions (the embedded cluster).
/// Topology: <see cref="CountingApp.CountAndSum"/> ("counts" primary, "sums" secondary; a value of 0 leaves "sums" clean).
/// </summary>
public sealed class MarkersOfWrittenStoresTests
{
    private const string Counts = "test-app-counts-changelog";
    private const string Sums = "test-app-sums-changelog";

    public static TheoryData<bool, bool, bool> Isolations()
    {
        var data = new TheoryData<bool, bool, bool>();
        foreach (var emulate in new[] { false, true })
        {
            foreach (var wipe in new[] { false, true })
            {
                foreach (var rocksDb in new[] { false, true })
                {
                    data.Add(emulate, wipe, rocksDb);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Isolations))]
    public void AStoreLeftCleanForSeveralCommitsGetsNoMarkersAndRestoresExactly(bool emulateEmbeddedCluster, bool wipeLocalState, bool rocksDb)
    {
        using var dir = new TempDirectory();
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster, partitions: 1, stateDirectory: rocksDb ? dir.Path : null);
        app.PipeMany(6, keys: 3, commitEvery: 3); // two commits that write both stores
        var sumsMarkers = Markers(app, Sums);
        var countsMarkers = Markers(app, Counts);
        for (var i = 0; i < 4; i++)
        {
            app.Pipe($"key-{i % 3}", 0);
            app.Driver.Commit();
        }

        Assert.Equal(sumsMarkers, Markers(app, Sums)); // four commits, none wrote "sums", no marker there
        Assert.Equal(countsMarkers + 4, Markers(app, Counts));

        // "sums" ends four commits before "counts"; from scratch and from the local checkpoints (its own is older).
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState);
        app.AssertExact();

        app.Pipe("key-1", 5); // written once more, then clean again
        app.Driver.Commit();
        app.Pipe("key-0", 0);
        app.Driver.Commit();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, !wipeLocalState);
        app.AssertExact();
        app.Driver.SimulateCrash(CrashPoint.AfterKafkaCommit);
        app.AssertExact();
    }

    [Theory]
    [MemberData(nameof(Isolations))]
    public void ACrashAfterASecondarysMarkerBeforeThePrimarysIsDroppedAndTheStoreRepairedByTheRetriedCommit(bool emulateEmbeddedCluster, bool wipeLocalState, bool rocksDb)
    {
        using var dir = new TempDirectory();
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster, partitions: 1, stateDirectory: rocksDb ? dir.Path : null);
        app.PipeMany(4, keys: 2, commitEvery: 2);
        app.Pipe("key-0", 0);
        app.Driver.Commit();
        app.Pipe("key-1", 7); // "sums" written: its marker goes out before the primary's

        // The process dies with the "sums" marker of the attempt in the log and no "counts" marker. The input is then
        // processed again with "sums" left alone, so the retried commit writes "sums" for the repair only.
        app.SumsEnabled = false;
        app.ExpectedSums["key-1"] -= 7;
        var sumsMarkers = Markers(app, Sums);
        app.Driver.SimulateCrash(CrashPoint.BeforePrimaryMarkers, wipeLocalState);
        app.AssertExact();
        if (emulateEmbeddedCluster)
        {
            Assert.Equal(sumsMarkers + 1, Markers(app, Sums)); // the dead attempt's marker shows, and was dropped
            Assert.True(app.Driver.RestoreSkippedUncommittedRecords > 0, "the restore must have dropped the attempt");
        }

        var beforeRetry = Markers(app, Sums);
        app.Driver.Commit();
        Assert.Equal(beforeRetry + (emulateEmbeddedCluster ? 1 : 0), Markers(app, Sums)); // the repair, where the attempt shows

        // Clean commits after it: "sums" ends behind "counts" at the repair.
        app.SumsEnabled = true;
        for (var i = 0; i < 3; i++)
        {
            app.Pipe("key-0", 0);
            app.Driver.Commit();
        }

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing);
        app.AssertExact();
    }

    [Theory]
    [MemberData(nameof(Isolations))]
    public void TwoCrashesInARowAfterASecondarysMarkerLeaveTwoAttemptsThatAreBothDropped(bool emulateEmbeddedCluster, bool wipeLocalState, bool rocksDb)
    {
        // The first crash's attempt is dropped and its key repaired; the retry writes "sums" again (repair and new input)
        // and dies at the same point: "sums" ends with two attempts after the primary's last marker.
        using var dir = new TempDirectory();
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster, partitions: 1, stateDirectory: rocksDb ? dir.Path : null);
        app.PipeMany(4, keys: 2, commitEvery: 2);
        app.Pipe("key-1", 7);
        app.Driver.SimulateCrash(CrashPoint.BeforePrimaryMarkers, wipeLocalState);
        app.AssertExact();
        app.Pipe("key-0", 3);
        app.Driver.SimulateCrash(CrashPoint.BeforePrimaryMarkers, wipeLocalState);
        app.AssertExact();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();

        app.Driver.Commit();
        app.Pipe("key-0", 0);
        app.Driver.Commit();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnAttemptAfterAnAbortedButVisiblePrimaryMarkerIsDroppedWhenItsPrimaryMarkerIsMissing(bool wipeLocalState)
    {
        // The embedded cluster: an attempt whose markers all reached the log aborts itself (its offset commit refused);
        // the restore takes it as the state, since its primary marker shows. Its retry, same commit sequence, writes "sums"
        // with more input and dies before its primary marker: a "sums" marker of the target's sequence, another attempt.
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster: true, partitions: 1, kafkaTransaction: true);
        app.PipeMany(4, keys: 2, commitEvery: 2);
        app.Pipe("key-0", 0);
        app.Driver.Commit();
        app.Pipe("key-1", 7);
        app.Driver.Cluster.SendOffsetsErrors.Enqueue(ErrorCode.IllegalGeneration);
        var counts = Markers(app, Counts);
        app.Driver.Commit();
        Assert.Equal(counts + 1, Markers(app, Counts)); // the aborted attempt's primary marker shows

        app.Pipe("key-1", 11);
        app.Driver.SimulateCrash(CrashPoint.BeforePrimaryMarkers, wipeLocalState);

        app.AssertExact(); // 11 counted once: the retry's "sums" was dropped, and the input after the aborted attempt redone
        app.Driver.Commit();
        app.Pipe("key-0", 0);
        app.Driver.Commit();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void AnAbortWithAMarkerInAStoreTheNextCommitWouldNotWriteIsRepairedByIt(bool emulateEmbeddedCluster, bool wipeLocalState)
    {
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster, partitions: 1);
        app.PipeMany(4, keys: 2, commitEvery: 2);
        app.Pipe("key-0", 0);
        app.Driver.Commit();
        app.Pipe("key-1", 7);

        // The primary's marker fails to send: the transaction aborts with the "sums" marker in the log (the embedded
        // cluster shows it). The records are processed again with "sums" left alone, so nothing but the rollback's
        // repair makes the next commit write "sums".
        app.Driver.Cluster.FailProduce = (topic, message) =>
        {
            if (topic != Counts || !CommitMarkers.IsMarker(message.Headers))
            {
                return false;
            }

            app.SumsEnabled = false;
            app.Driver.Cluster.FailProduce = null;
            return true;
        };
        var sumsMarkers = Markers(app, Sums);
        app.Driver.Commit();
        app.ExpectedSums["key-1"] -= 7;
        Assert.Null(app.Driver.Cluster.FailProduce);
        app.AssertExact();

        app.Driver.Commit();
        Assert.Equal(sumsMarkers + (emulateEmbeddedCluster ? 2 : 1), Markers(app, Sums)); // the aborted attempt's, and the repair's
        app.SumsEnabled = true;
        for (var i = 0; i < 3; i++)
        {
            app.Pipe("key-0", 0);
            app.Driver.Commit();
        }

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState);
        app.AssertExact();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StateWrittenWithAMarkerInEveryStoreRestores(bool emulateEmbeddedCluster)
    {
        // The previous version marked every store in every commit: its changelogs are the new rules' case of every store
        // written each time. Emulated by writing both stores in every commit, then going on with clean commits.
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster, partitions: 1);
        app.PipeMany(12, keys: 3, commitEvery: 2);
        Assert.Equal(Markers(app, Counts), Markers(app, Sums));
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
        app.Pipe("key-2", 0);
        app.Driver.Commit();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing);
        app.AssertExact();
    }

    private static int Markers(CountingApp app, string changelog) =>
        app.Driver.ReadPartition(changelog, 0).Count(r => CommitMarkers.IsMarker(r.Record.Headers));
}
