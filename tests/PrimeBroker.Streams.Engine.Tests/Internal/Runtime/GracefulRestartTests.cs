using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// What a graceful stop leaves on disk and what a process started again with the same state directory restores
/// (<see cref="StreamThreadHarness"/> with a RocksDB store, a state directory per process). The failover bench's rolling
/// restart saw restarted instances restore their changelogs almost whole; these tests pin down the parts that must not
/// cause it: a gracefully closed task's database holds its last commit with its checkpoint, so starting it again
/// restores only what other processes wrote since; and a standby whose rounds read little at a time (the embedded
/// cluster returns one record batch per partition per fetch) still keeps up, so a takeover restores only the tail.
/// Both isolations: readers that see committed records only (a real cluster) and readers that see aborted and open
/// transactions (the embedded cluster). Every member's rounds read one record per changelog partition
/// (<see cref="ThrottledChangelogReader"/>).
/// </summary>
public sealed class GracefulRestartTests
{
    private static StreamThreadHarness Harness(bool uncommittedVisible, int standbys = 0) =>
        new(c => c with { NumStandbyReplicas = standbys }, persistentStore: true, uncommittedVisible: uncommittedVisible,
            changelogReader: reader => new ThrottledChangelogReader(reader) { RecordsPerRange = 1 });

    /// <summary>One record of key "a" on each of <paramref name="partitions"/>, processed and committed by
    /// <paramref name="owner"/> in one transaction.</summary>
    private static void CommitOne(StreamThreadHarness harness, StreamThreadHarness.Member owner, params int[] partitions)
    {
        foreach (var partition in partitions)
        {
            harness.Produce(partition, "a");
        }

        owner.RunUntilIdle();
        harness.CommitIntervalPasses();
        owner.Step();
    }

    /// <summary>Committed changelog records (commit markers not counted) of <paramref name="partition"/> at or after
    /// <paramref name="from"/>.</summary>
    private static long CommittedRecords(StreamThreadHarness harness, int partition, long from) =>
        harness.Cluster.Read(StreamThreadHarness.Changelog, partition, from)
            .Count(r => r.Record.State == InMemoryCluster.TxnState.Committed && !CommitMarkers.IsMarker(r.Record.Headers));

    private static long ChangelogEnd(StreamThreadHarness harness, int partition) =>
        harness.Cluster.Topic(StreamThreadHarness.Changelog)[partition].End;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AProcessStartedAgainWithItsStateRestoresNothingWhenNothingWasWrittenSinceItsGracefulStop(bool uncommittedVisible)
    {
        using var harness = Harness(uncommittedVisible);
        var first = harness.Join(0, 1);
        first.RunUntilIdle();
        for (var i = 0; i < 4; i++)
        {
            CommitOne(harness, first, 0, 1);
        }

        first.Dispose();
        var restored = harness.Metrics.RestoredTotal;
        var again = harness.Restart(first, 0, 1);
        again.RunUntilIdle();

        Assert.True(harness.Metrics.RestoredTotal == restored, $"restored {harness.Metrics.RestoredTotal - restored} records after a graceful stop with nothing written since\n" + harness.Logs.Recent(40));
        Assert.Equal(0, harness.Logs.Count("WarmUpFailed"));
        Assert.Equal(4, again.Count(0, "a"));
        Assert.Equal(4, again.Count(1, "a"));
        CommitOne(harness, again, 0, 1);
        Assert.Equal(5, harness.CommittedCount(0, "a"));
        Assert.Equal(5, harness.CommittedCount(1, "a"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AProcessStartedAgainWithItsStateRestoresOnlyWhatAnotherOwnerWroteSinceItsGracefulStop(bool uncommittedVisible)
    {
        using var harness = Harness(uncommittedVisible);
        var first = harness.Join(0, 1);
        first.RunUntilIdle();
        for (var i = 0; i < 4; i++)
        {
            CommitOne(harness, first, 0, 1);
        }

        first.Dispose();
        long[] endsAtStop = [ChangelogEnd(harness, 0), ChangelogEnd(harness, 1)];

        // Another process takes both tasks over (it has no state: it restores everything) and commits three more.
        var second = harness.Join(0, 1);
        second.RunUntilIdle();
        for (var i = 0; i < 3; i++)
        {
            CommitOne(harness, second, 0, 1);
        }

        second.Dispose();
        var writtenSince = CommittedRecords(harness, 0, endsAtStop[0]) + CommittedRecords(harness, 1, endsAtStop[1]);
        Assert.Equal(6, writtenSince);
        var restored = harness.Metrics.RestoredTotal;
        var again = harness.Restart(first, 0, 1);
        again.RunUntilIdle();

        Assert.True(harness.Metrics.RestoredTotal - restored == writtenSince,
            $"restored {harness.Metrics.RestoredTotal - restored} records, {writtenSince} were written since the graceful stop\n" + harness.Logs.Recent(40));
        Assert.Equal(0, harness.Logs.Count("WarmUpFailed"));
        Assert.Equal(7, again.Count(0, "a"));
        Assert.Equal(7, again.Count(1, "a"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStandbyWhoseRoundsReadOneRecordEachKeepsUpSoATakeoverAfterAGracefulStopRestoresOnlyTheTail(bool uncommittedVisible)
    {
        using var harness = Harness(uncommittedVisible, standbys: 1);
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        var standby = harness.Join(1);
        standby.RunUntilIdle();
        const int transactions = 6;
        for (var i = 0; i < transactions; i++)
        {
            CommitOne(harness, owner, 0);
            // A standby round per commit interval on the standby's instance.
            standby.Step();
        }

        // Rounds enough to read every record of the changelog one at a time (a record and a marker per transaction).
        for (var i = 0; i < 2 * transactions; i++)
        {
            harness.CommitIntervalPasses();
            standby.Step();
        }

        var applied = harness.Metrics.StandbyAppliedTotal;
        owner.Dispose();
        var restored = harness.Metrics.RestoredTotal;
        standby.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        standby.RunUntilIdle();

        // A standby applies every committed transaction but (where uncommitted records show) the last, which the
        // takeover's restore applies: one record here.
        var total = CommittedRecords(harness, 0, 0);
        Assert.Equal(transactions, total);
        Assert.True(applied == total - (uncommittedVisible ? 1 : 0), $"the standby applied {applied} of {total} committed records\n" + harness.Logs.Recent(40));
        Assert.True(harness.Metrics.RestoredTotal - restored == (uncommittedVisible ? 1 : 0),
            $"the takeover restored {harness.Metrics.RestoredTotal - restored} of {total} records\n" + harness.Logs.Recent(40));
        Assert.Equal(transactions, standby.Count(0, "a"));
        Assert.Equal(TaskHealthState.Running, standby.HealthOf(0).State);
    }
}
