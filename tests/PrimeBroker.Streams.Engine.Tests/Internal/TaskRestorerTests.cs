using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>
/// Restores against real-cluster timing the embedded cluster cannot show: a last stable offset that lags a commit whose
/// markers land late, a dead owner's transaction left open until the broker aborts it, a recreated changelog, and a
/// compacted changelog larger than one restore chunk.
/// </summary>
public sealed class TaskRestorerTests
{
    private const string Changelog = "test-app-counts-changelog";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARestoreRightAfterACommitWaitsForItsLateMarkers(bool wipeLocalState)
    {
        // A restore right after a commit: this instance's own (a rebalance) or the previous owner's (a handover). On a
        // real cluster the commit's markers land after CommitTransaction returned, so the last stable offset still sits
        // before the transaction. Before the fix the restore ended there: with a wiped store it missed the commit and the
        // input was processed again (its output twice); with the local store it took the lag for a recreated changelog.
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1);
        app.PipeMany(10, keys: 2, commitEvery: 5);
        app.Driver.Cluster.MarkerDelay = TimeSpan.FromMilliseconds(500);
        app.PipeMany(4, keys: 2, firstValue: 11);
        app.Driver.Commit();
        Assert.Equal(1, app.Driver.Cluster.MarkersInFlight);

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState);

        app.AssertExact();
        app.Driver.Cluster.MarkerDelay = TimeSpan.Zero;
        app.Driver.Commit();
        app.Driver.Cluster.DeliverMarkers();
        AssertEachCountOutputOnce(app);
        Assert.True(app.Driver.Cluster.StableOffsetWaits > 0, "the restore must have waited for the last stable offset");
    }

    [Fact]
    public void ADeadOwnersOpenTransactionDelaysTheRestoreUntilTheBrokerAbortsIt()
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1);
        app.PipeMany(6, keys: 2, commitEvery: 3);
        app.PipeMany(3, keys: 2, firstValue: 7);
        app.Driver.AbandonedTransactionTimeout = TimeSpan.FromSeconds(3); // below the 10 s the restore waits

        // The owner dies with its changelog records and markers written and the commit not sent; another instance
        // (another transactional id) takes over, so nothing fences the open transaction before the broker's timeout.
        app.Driver.SimulateCrash(CrashPoint.BeforeKafkaCommit, wipeLocalState: true);

        // 3 s of polls at 50 ms before the broker aborts the dead transaction and the stable offset reaches the end.
        Assert.InRange(app.Driver.Cluster.StableOffsetWaits, 60, 61);
        app.AssertExact();
    }

    [Fact]
    public void AnOpenTransactionPastTheTransactionTimeoutFailsTheRestoreAsRetriable()
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1);
        app.PipeMany(6, keys: 2, commitEvery: 3);
        app.PipeMany(2, keys: 2, firstValue: 7);
        app.Driver.AbandonedTransactionTimeout = TimeSpan.FromSeconds(60);

        var ex = Assert.Throws<TimeoutException>(() => app.Driver.SimulateCrash(CrashPoint.BeforeKafkaCommit, wipeLocalState: true));

        Assert.True(TaskManager.IsTransient(ex), "a stable offset that does not move must park the task for a retry, not fail it for good");
        Assert.Contains("last stable offset", ex.Message);
        Assert.Contains(Changelog, ex.Message);
    }

    [Fact]
    public void ARecreatedChangelogIsToldFromALaggingStableOffsetByTheLogEnd()
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1);
        app.PipeMany(10, keys: 2, commitEvery: 5);
        app.Driver.Cluster.Recreate(Changelog);

        var ex = Assert.Throws<InvalidOperationException>(() => app.Driver.SimulateCrash(CrashPoint.WhileProcessing));

        Assert.Contains("deleted or recreated", ex.Message);
        Assert.Equal(0, app.Driver.Cluster.StableOffsetWaits); // told at once, without waiting for the stable offset
    }

    [Fact]
    public void ACompactedChangelogLargerThanOneChunkRestoresInBoundedBatches()
    {
        // Compaction keeps one marker (they share a key), so all 25,000 records precede the only marker left. Before the
        // fix the restore held them all and wrote them as one batch.
        const int keys = 25_000;
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1);
        app.PipeMany(keys, keys, commitEvery: 5_000);
        app.Driver.Cluster.Compact(Changelog, 0);

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);

        Assert.Equal([TaskRestorer.MaxChunkRecords, TaskRestorer.MaxChunkRecords, keys - 2 * TaskRestorer.MaxChunkRecords], app.Driver.RestoreBatches);
        app.AssertExact();
        app.PipeMany(10, keys: 5);
        app.Driver.Commit();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing); // the local checkpoint the last chunk wrote is where the next restore starts
        Assert.Empty(app.Driver.RestoreBatches);
        app.AssertExact();
    }

    [Fact]
    public void ARestoreThatDiesAfterItsFirstChunkIsRedoneFromTheCheckpointOverWhatItApplied()
    {
        const int keys = 25_000;
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1);
        app.PipeMany(keys, keys, commitEvery: 5_000);
        app.Driver.Cluster.Compact(Changelog, 0);
        app.Driver.FailRestoreAfterBatches = 1;

        Assert.Throws<IOException>(() => app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true));

        // The store holds the first chunk with no marker's checkpoint yet (the only marker left is at the end).
        app.Driver.FailRestoreAfterBatches = null;
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing);
        Assert.Equal([TaskRestorer.MaxChunkRecords, TaskRestorer.MaxChunkRecords, keys - 2 * TaskRestorer.MaxChunkRecords], app.Driver.RestoreBatches);
        app.AssertExact();
    }

    [Fact]
    public void ChunksThatEndInsideATransactionCarryTheLastMarkerReadAndTheLastChunkTheLastMarker()
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1);
        app.PipeMany(23_000, keys: 23_000, commitEvery: 7_000);
        app.Driver.Commit(); // markers after 7,000, 14,000, 21,000 and 23,000 records

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);

        Assert.Equal([TaskRestorer.MaxChunkRecords, TaskRestorer.MaxChunkRecords, 3_000], app.Driver.RestoreBatches);
        app.AssertExact();
    }

    [Fact]
    public void OnTheEmbeddedClusterARestoreStillBuffersEachTransactionUntilItsMarker()
    {
        // The mock shows uncommitted records, so a chunk could hold an attempt that never committed: one batch per
        // transaction, applied with its marker, as before.
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: true, partitions: 1);
        app.PipeMany(12_000, keys: 12_000, commitEvery: 6_000);

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);

        Assert.Equal([6_000, 6_000], app.Driver.RestoreBatches);
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
