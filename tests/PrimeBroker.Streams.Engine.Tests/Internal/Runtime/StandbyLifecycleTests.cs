using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// When standby tasks run and which an instance keeps beyond the placement (<see cref="StreamThreadHarness"/> with a
/// RocksDB store, a state directory per process, a shared instance directory and cooperative rebalancing). The failover
/// bench's rolling restart showed both gaps: an instance that restores a task for minutes ran no standby round meanwhile
/// (its standbys were stale when the next move landed on them), and an instance that handed a task to a returning
/// member kept nothing of it, so the task was cold wherever it went next.
/// </summary>
public sealed class StandbyLifecycleTests
{
    private static readonly TaskId s_task0 = new(0, 0);

    /// <summary>Catch-up and standby rounds read one record per changelog partition, so a restore of a few transactions
    /// takes many loop rounds, as a cold restore on the embedded cluster does.</summary>
    private static StreamThreadHarness Harness() =>
        new(c => c with { NumStandbyReplicas = 1, CooperativeRebalancing = true }, persistentStore: true,
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

    /// <summary><paramref name="rounds"/> loop rounds of <paramref name="member"/>, each after a commit interval (a
    /// standby round is due in each; at one record per partition a round applies a transaction's record or its marker).</summary>
    private static void Rounds(StreamThreadHarness harness, StreamThreadHarness.Member member, int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            harness.CommitIntervalPasses();
            member.Step();
        }
    }

    private static long? StandbyCount(StreamThreadHarness.Member member, TaskId task) =>
        member.Standbys!.Inspect(task, s => s.Store(StreamThreadHarness.StoreName).Get(Serdes.String.Serializer.Serialize("a", SerializationContext.Empty)) is { } v
            ? Serdes.Int64.Deserializer.Deserialize(v, false, SerializationContext.Empty)
            : (long?)null);

    [Fact]
    public void StandbyRoundsGoOnWhileATaskOfTheSameThreadWaitsForItsRestore()
    {
        using var harness = Harness();
        var owner = harness.Join(0, 1);
        owner.RunUntilIdle();
        for (var i = 0; i < 10; i++)
        {
            CommitOne(harness, owner, 1);
        }

        // Task 0_1 moves to a new member: ten transactions to restore at one record per round.
        var other = harness.Join();
        other.RunUntilIdle();
        owner.Consumer.Rebalance(StreamThreadHarness.Input(0));
        owner.RunUntilIdle();
        other.Consumer.Rebalance(StreamThreadHarness.Input(1));
        other.Step();
        other.Step();
        Assert.Equal(TaskHealthState.Restoring, other.HealthOf(1).State);

        // The owner of task 0_0 commits on; the new member's standby of it must follow although its own task restores.
        for (var i = 0; i < 2; i++)
        {
            CommitOne(harness, owner, 0);
            Rounds(harness, other, 3);
        }

        Assert.True(other.Thread.Health().Any(h => h.TaskId.Partition == 1 && h.State == TaskHealthState.Restoring),
            "the restore ended before the owner's commits: the test shows nothing\n" + harness.Logs.Recent(40));
        Assert.True(StandbyCount(other, s_task0) == 2, $"the standby of 0_0 holds {StandbyCount(other, s_task0)?.ToString() ?? "nothing"} after two commits while a task restored\n" + harness.Logs.Recent(40));

        // The restore still ends, exact.
        other.RunUntilIdle();
        Assert.Equal(10, other.Count(1, "a"));
        Assert.Equal(TaskHealthState.Running, other.HealthOf(1).State);
    }

    [Fact]
    public void AnInstanceKeepsAStandbyOfTheTasksItGaveUpSoTheirReturnRestoresOnlyTheTail()
    {
        using var harness = Harness();
        var first = harness.Join(0, 1);
        first.RunUntilIdle();
        for (var i = 0; i < 3; i++)
        {
            CommitOne(harness, first, 0, 1);
        }

        // Both tasks move to a member that joined: the first owns nothing now, so the placement alone gives it no
        // standby (only owning instances count); it keeps the two it gave up.
        var second = harness.Join();
        second.RunUntilIdle();
        first.Consumer.Rebalance();
        first.RunUntilIdle();
        second.Consumer.Rebalance(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        second.RunUntilIdle();
        var writtenBySecond = 0L;
        for (var i = 0; i < 4; i++)
        {
            var end = harness.Cluster.Topic(StreamThreadHarness.Changelog)[0].End;
            CommitOne(harness, second, 0, 1);
            writtenBySecond += 2;
            Rounds(harness, first, 3);
            Assert.True(harness.Cluster.Topic(StreamThreadHarness.Changelog)[0].End > end, "the second member committed nothing");
        }

        Assert.Equal([s_task0, new TaskId(0, 1)], first.Standbys!.Ids);
        Assert.Equal(7, StandbyCount(first, s_task0));

        // The tasks come back (the second member leaves): the first restores only what its standbys had not applied.
        var restored = harness.Metrics.RestoredTotal;
        second.Consumer.Rebalance();
        second.RunUntilIdle();
        first.Consumer.Rebalance(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        first.RunUntilIdle();

        Assert.True(harness.Metrics.RestoredTotal - restored < writtenBySecond,
            $"restored {harness.Metrics.RestoredTotal - restored} records; the second member wrote {writtenBySecond} after the hand-over\n" + harness.Logs.Recent(40));
        Assert.Empty(first.Standbys.Ids);
        Assert.Equal(7, first.Count(0, "a"));
        Assert.Equal(7, first.Count(1, "a"));
        CommitOne(harness, first, 0, 1);
        Assert.Equal(8, harness.CommittedCount(0, "a"));
        Assert.Equal(8, harness.CommittedCount(1, "a"));
    }

    [Fact]
    public void AStandbyStaysOpenWhileItsTaskHasNoAnnouncedOwnerAndItsStoresServeTheTakeOver()
    {
        using var harness = Harness();
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        var standby = harness.Join(1);
        standby.RunUntilIdle();
        for (var i = 0; i < 2; i++)
        {
            CommitOne(harness, owner, 0);
            Rounds(harness, standby, 3);
        }

        Assert.Equal([s_task0], standby.Standbys!.Ids);
        Assert.Equal(2, StandbyCount(standby, s_task0));

        // The owner stops gracefully: its last announcement claims nothing, and the group has not assigned 0_0 yet.
        owner.Dispose();
        Rounds(harness, standby, 3);
        Assert.True(standby.Standbys.Ids.SequenceEqual([s_task0]), "the standby of 0_0 was closed while its task changed owner\n" + harness.Logs.Recent(20));

        var restored = harness.Metrics.RestoredTotal;
        standby.Consumer.Rebalance(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        standby.RunUntilIdle();
        Assert.Equal(restored, harness.Metrics.RestoredTotal);
        Assert.Equal(2, standby.Count(0, "a"));
    }
}
