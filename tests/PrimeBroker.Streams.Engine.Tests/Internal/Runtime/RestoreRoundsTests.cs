using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// A task that restores on a thread that already runs another: its restore is spread over the thread's loop rounds
/// (the catch-up of <see cref="TaskManager.WarmUpPending"/>, here one transaction per round), the running task processes
/// and commits in every one of those rounds, and the restored task ends with exact state and counts every changelog
/// record once. Both isolations: readers that see committed records only (a real cluster) and readers that see aborted
/// and open transactions (the embedded cluster).
/// </summary>
public sealed class RestoreRoundsTests
{
    private const int Transactions = 6;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALongRestoreIsSpreadOverRoundsAndTheRunningTaskCommitsInEachOfThem(bool uncommittedVisible)
    {
        using var harness = new StreamThreadHarness(c => c with { StandbyRecordsPerRound = 1 }, persistentStore: true, uncommittedVisible: uncommittedVisible);
        var (taker, restored) = OwnerCommitsAndStops(harness);

        // The taker gets partition 0 too; it has no state for task 0_0 (another process's directory), so the whole
        // changelog is restored, one transaction per round.
        taker.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        taker.Step();
        var rounds = 0;
        var produced = 0;
        while (taker.HealthOf(0).State == TaskHealthState.Restoring)
        {
            Assert.True(rounds < 50, "task 0_0 still restores after 50 rounds\n" + harness.Logs.Recent(40));
            harness.Produce(1, "b");
            produced++;
            harness.CommitIntervalPasses();
            taker.Step();
            rounds++;
            if (taker.HealthOf(0).State == TaskHealthState.Restoring)
            {
                // Every round a piece of the restore, and task 0_1 processes the record just produced and commits the
                // one before (the harness parks the thread in the Consume after the record, before the commit).
                Assert.Equal(produced - 1, harness.CommittedCount(1, "b"));
            }
        }

        Assert.True(rounds >= Transactions / 2, $"the restore took {rounds} rounds: not spread over rounds");
        Assert.Equal(TaskHealthState.Running, taker.HealthOf(0).State);
        Assert.Equal(Transactions, taker.Count(0, "a"));
        var committedRecords = harness.Cluster.Read(StreamThreadHarness.Changelog, 0, 0)
            .Count(r => r.Record.State == InMemoryCluster.TxnState.Committed && !CommitMarkers.IsMarker(r.Record.Headers));
        Assert.Equal(committedRecords, harness.Metrics.RestoredTotal - restored);

        // Processing goes on from the restored position, exactly.
        harness.Produce(0, "a");
        taker.RunUntilIdle();
        harness.CommitIntervalPasses();
        taker.Step();
        Assert.Equal(Transactions + 1, harness.CommittedCount(0, "a"));
        Assert.Equal(produced, harness.CommittedCount(1, "b"));
        Assert.True(produced >= 3, $"task 0_1 committed in {produced} rounds of the restore only");
    }

    /// <summary>The owner commits <see cref="Transactions"/> transactions on partition 0 and stops; a second process,
    /// which has no state for task 0_0, runs task 0_1. Returns that process and the restored total before it is given
    /// partition 0.</summary>
    private static (StreamThreadHarness.Member Taker, long RestoredBefore) OwnerCommitsAndStops(StreamThreadHarness harness)
    {
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        for (var i = 0; i < Transactions; i++)
        {
            harness.Produce(0, "a");
            owner.RunUntilIdle();
            harness.CommitIntervalPasses();
            owner.Step();
        }

        Assert.Equal(Transactions, harness.CommittedCount(0, "a"));
        var taker = harness.Join(1);
        taker.RunUntilIdle();
        owner.Dispose();
        return (taker, harness.Metrics.RestoredTotal);
    }

    /// <summary>Steps <paramref name="taker"/> (one loop round and a commit interval each) until task 0_0 runs.</summary>
    private static int RoundsUntilRunning(StreamThreadHarness harness, StreamThreadHarness.Member taker, int maxRounds)
    {
        var rounds = 0;
        while (taker.HealthOf(0).State == TaskHealthState.Restoring)
        {
            Assert.True(rounds < maxRounds, $"task 0_0 still restores after {maxRounds} rounds\n" + harness.Logs.Recent(40));
            harness.CommitIntervalPasses();
            taker.Step();
            rounds++;
        }

        return rounds;
    }

    private static long CommittedChangelogRecords(StreamThreadHarness harness) =>
        harness.Cluster.Read(StreamThreadHarness.Changelog, 0, 0)
            .Count(r => r.Record.State == InMemoryCluster.TxnState.Committed && !CommitMarkers.IsMarker(r.Record.Headers));

    /// <summary>
    /// The catch-up stall of the failover bench's rolling restart: every round's read returned only the first record of
    /// each changelog (on the embedded cluster a round that ran out of time after the first fetch, which returns one
    /// record batch per partition). Rounds then read again from the stores' positions, so a read that did not reach a
    /// partition's commit markers applied nothing, round after round, until the task gave the catch-up up (warning
    /// 1085). Every round now continues where the last read stopped: the catch-up reaches the end one record per round
    /// and never gives up, and the restored task is exact.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACatchUpWhoseRoundsReadOneRecordEachStillCatchesUpWithoutGivingUp(bool uncommittedVisible)
    {
        using var harness = new StreamThreadHarness(persistentStore: true, uncommittedVisible: uncommittedVisible,
            changelogReader: reader => new ThrottledChangelogReader(reader) { RecordsPerRange = 1 });
        var (taker, restored) = OwnerCommitsAndStops(harness);

        taker.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        taker.Step();
        var rounds = RoundsUntilRunning(harness, taker, maxRounds: 100);

        Assert.True(harness.Logs.Count("WarmUpFailed") == 0, "the catch-up gave up:\n" + harness.Logs.Recent(40));
        // A transaction is a record and a commit marker: one record per round, so about two rounds per transaction.
        Assert.True(rounds >= Transactions, $"task 0_0 caught up in {rounds} rounds reading one record each");
        Assert.Equal(TaskHealthState.Running, taker.HealthOf(0).State);
        Assert.Equal(Transactions, taker.Count(0, "a"));
        Assert.Equal(CommittedChangelogRecords(harness), harness.Metrics.RestoredTotal - restored);

        harness.Produce(0, "a");
        taker.RunUntilIdle();
        harness.CommitIntervalPasses();
        taker.Step();
        Assert.Equal(Transactions + 1, harness.CommittedCount(0, "a"));
    }

    /// <summary>
    /// The fallback stays for reads that return nothing at all (a reader that cannot tell where a range ends, say):
    /// after <see cref="TaskManager.MaxIdleWarmUpRounds"/> rounds that read and applied nothing the task gives the
    /// catch-up up (warning 1085) and its restore proper, with reads of its own, restores it exactly.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACatchUpWhoseRoundsReadNothingGivesUpAndTheRestoreProperRestoresExactly(bool uncommittedVisible)
    {
        using var harness = new StreamThreadHarness(persistentStore: true, uncommittedVisible: uncommittedVisible,
            changelogReader: reader => new ThrottledChangelogReader(reader) { RecordsPerRange = 0 });
        var (taker, restored) = OwnerCommitsAndStops(harness);

        taker.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        taker.Step();
        var rounds = RoundsUntilRunning(harness, taker, maxRounds: 50);

        Assert.Equal(1, harness.Logs.Count("WarmUpFailed"));
        Assert.True(rounds >= TaskManager.MaxIdleWarmUpRounds - 1, $"the catch-up gave up after {rounds} rounds");
        Assert.Equal(Transactions, taker.Count(0, "a"));
        Assert.Equal(CommittedChangelogRecords(harness), harness.Metrics.RestoredTotal - restored);
    }
}
