using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Testing;

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

        // The taker gets partition 0 too; it has no state for task 0_0 (another process's directory), so the whole
        // changelog is restored, one transaction per round.
        var restored = harness.Metrics.RestoredTotal;
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
}
