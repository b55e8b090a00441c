using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// Standby tasks on real stream threads in lock-step (<see cref="StreamThreadHarness"/> with a RocksDB store, a state
/// directory per process and a shared instance directory): what a standby applies, what it skips, that an active task
/// started on its instance restores only the tail, and that it never serves a query. Both isolations: readers that see
/// committed records only (a real cluster) and readers that see aborted and open transactions (the embedded cluster).
/// </summary>
public sealed class StandbyTaskTests
{
    private static readonly TaskId s_task0 = new(0, 0);

    private static StreamThreadHarness Harness(bool uncommittedVisible, int recordsPerRound = 10_000) =>
        new(c => c with { NumStandbyReplicas = 1, StandbyRecordsPerRound = recordsPerRound }, persistentStore: true, uncommittedVisible: uncommittedVisible);

    /// <summary>The owner processes one record of key "a" and commits it: one transaction per call. The clock moves a
    /// commit interval (the next step of every member may run a standby round), or, when <paramref name="quickly"/>, only
    /// the minimum commit interval, which lets the caught-up owner commit while no standby round comes due.</summary>
    private static void CommitOne(StreamThreadHarness harness, StreamThreadHarness.Member owner, bool quickly = false, long value = 1)
    {
        harness.Produce(0, "a", value);
        owner.RunUntilIdle();
        if (quickly)
        {
            harness.Time.Advance(harness.Config.MinCommitInterval);
        }
        else
        {
            harness.CommitIntervalPasses();
        }

        owner.Step();
    }

    /// <summary>One standby round on <paramref name="member"/> (rounds come at most once per commit interval).</summary>
    private static void StandbyRound(StreamThreadHarness harness, StreamThreadHarness.Member member)
    {
        harness.CommitIntervalPasses();
        member.Step();
    }

    private static byte[] Key(string key) => Serdes.String.Serializer.Serialize(key, SerializationContext.Empty);

    private static long? StandbyCount(StreamThreadHarness.Member member, string key) =>
        member.Standbys!.Inspect(s_task0, s => s.Store(StreamThreadHarness.StoreName).Get(Key(key)) is { } v
            ? Serdes.Int64.Deserializer.Deserialize(v, false, SerializationContext.Empty)
            : (long?)null);

    private static long StandbyPosition(StreamThreadHarness.Member member) =>
        member.Standbys!.Inspect(s_task0, s => s.Checkpoints[StreamThreadHarness.StoreName]?.ChangelogNextOffset) ?? 0;

    /// <summary>Appends what a writer that died inside its transaction leaves: a record of the store's key with no commit
    /// marker, its transaction aborted (a real cluster hides it; the embedded cluster shows it).</summary>
    private static void AppendUncommitted(StreamThreadHarness harness, string key, long value)
    {
        var cluster = harness.Cluster;
        var transaction = cluster.BeginTransaction("dead-writer");
        cluster.Append(StreamThreadHarness.Changelog, 0, new InMemoryCluster.StoredRecord(Key(key),
            Serdes.Int64.Serializer.Serialize(value, SerializationContext.Empty), null, 0, InMemoryCluster.TxnState.Pending, transaction));
        cluster.EndTransaction(transaction, commit: false);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStandbyAppliesCommittedChangelogDataOnlyAndSkipsAnUncommittedTail(bool uncommittedVisible)
    {
        using var harness = Harness(uncommittedVisible);
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        var standby = harness.Join(1);
        standby.RunUntilIdle();
        for (var i = 0; i < 3; i++)
        {
            CommitOne(harness, owner);
        }

        Assert.Equal(3, harness.CommittedCount(0, "a"));
        AppendUncommitted(harness, "a", 999);
        StandbyRound(harness, standby);

        Assert.Equal([s_task0], standby.Standbys!.Ids);
        Assert.Equal([new TaskId(0, 1)], owner.Standbys!.Ids); // the other instance's task, never its own
        // Committed-only reader: every committed transaction. Reader that shows everything: all but the last complete
        // transaction, which a standby leaves to the next round or the restore. Never the dead writer's record.
        Assert.Equal(uncommittedVisible ? 2 : 3, StandbyCount(standby, "a"));
        var tail = harness.Cluster.Topic(StreamThreadHarness.Changelog)[0].End - 1; // the uncommitted record's offset
        Assert.True(StandbyPosition(standby) <= tail, $"the standby's position {StandbyPosition(standby)} is past the uncommitted record at {tail}");

        // Another round changes nothing: nothing new was committed.
        var applied = harness.Metrics.StandbyAppliedTotal;
        StandbyRound(harness, standby);
        Assert.Equal(applied, harness.Metrics.StandbyAppliedTotal);
        Assert.Equal(uncommittedVisible ? 2 : 3, StandbyCount(standby, "a"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WhenTheTaskBecomesActiveOnTheStandbysInstanceItRestoresOnlyTheTailWithExactState(bool uncommittedVisible)
    {
        using var harness = Harness(uncommittedVisible);
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        var standby = harness.Join(1);
        standby.RunUntilIdle();
        for (var i = 0; i < 5; i++)
        {
            CommitOne(harness, owner);
            StandbyRound(harness, standby);
        }

        // The tail: two transactions the standby has not seen (committed before its next round is due), then the owner
        // dies inside a third.
        var commits = harness.Metrics.CommitsTotal;
        CommitOne(harness, owner, quickly: true);
        CommitOne(harness, owner, quickly: true);
        Assert.Equal(commits + 2, harness.Metrics.CommitsTotal);
        var position = StandbyPosition(standby);
        Assert.True(position > 0, "the standby applied nothing");
        owner.Dispose();
        AppendUncommitted(harness, "a", 999);

        // What a restore from the standby's position must apply: the committed records after it.
        var changelog = harness.Cluster.Topic(StreamThreadHarness.Changelog)[0];
        var committedAfter = harness.Cluster.Read(StreamThreadHarness.Changelog, 0, position)
            .Count(r => r.Record.State == InMemoryCluster.TxnState.Committed && !CommitMarkers.IsMarker(r.Record.Headers));
        var committedTotal = harness.Cluster.Read(StreamThreadHarness.Changelog, 0, 0)
            .Count(r => r.Record.State == InMemoryCluster.TxnState.Committed && !CommitMarkers.IsMarker(r.Record.Headers));
        Assert.Equal(7, committedTotal);

        var restoredBefore = harness.Metrics.RestoredTotal;
        // The assignment only (the revoke half of an eager rebalance would let a standby round run first and catch up).
        standby.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        standby.RunUntilIdle();

        Assert.True(committedAfter == harness.Metrics.RestoredTotal - restoredBefore, $"restored {harness.Metrics.RestoredTotal - restoredBefore}, expected {committedAfter} after {position}\n" + harness.Logs.Recent(60));
        Assert.True(committedAfter < committedTotal, $"restored {committedAfter} of {committedTotal}: not only the tail");
        Assert.Equal(uncommittedVisible ? 3 : 2, committedAfter); // the held-back transaction too where uncommitted records show
        Assert.Empty(standby.Standbys!.Ids); // closed before the task opened the same stores
        Assert.Equal(TaskHealthState.Running, standby.HealthOf(0).State);
        Assert.Equal(7, standby.Count(0, "a"));

        // Processing goes on from the restored position: exact, and the dead writer's record never counts.
        CommitOne(harness, standby);
        Assert.Equal(8, standby.Count(0, "a"));
        Assert.Equal(8, harness.CommittedCount(0, "a"));
        Assert.NotEqual(0, changelog.End);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStandbyOfATaskWhoseSecondaryStoreIsWrittenRarelyTakesOverExactly(bool uncommittedVisible)
    {
        // "sums" is written by two of seven commits (values other than 0) and so gets two markers; "counts" gets seven.
        using var harness = new StreamThreadHarness(c => c with { NumStandbyReplicas = 1 }, persistentStore: true, uncommittedVisible: uncommittedVisible, sums: true);
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        var standby = harness.Join(1);
        standby.RunUntilIdle();
        foreach (var value in new long[] { 5, 0, 0, 7, 0, 0, 0 })
        {
            CommitOne(harness, owner, value: value);
            StandbyRound(harness, standby);
        }

        Assert.Equal(7, Markers(harness, StreamThreadHarness.Changelog));
        Assert.Equal(2, Markers(harness, StreamThreadHarness.SumsChangelog));
        // Where uncommitted records show, a standby holds back the primary's last transaction, and applies a secondary
        // store's transactions up to the primary's newest marker it read: "sums" is complete although its last
        // transaction is its last in the log.
        Assert.Equal(12, StandbyValue(standby, StreamThreadHarness.SumsStoreName));
        Assert.Equal(uncommittedVisible ? 6 : 7, StandbyValue(standby, StreamThreadHarness.StoreName));

        // The owner dies twice inside its next commit (a restart in between), each time with "sums" and its marker in
        // the log and no "counts" marker (written here while the idle owner still holds the task, so a standby round
        // reads both attempts before the takeover).
        var committed = owner.Task(0).Committed;
        foreach (var attempt in new long[] { 12345, 12346 })
        {
            var dead = harness.Cluster.BeginTransaction("dead-owner");
            harness.Cluster.Append(StreamThreadHarness.SumsChangelog, 0, new InMemoryCluster.StoredRecord(Key("a"),
                Serdes.Int64.Serializer.Serialize(attempt, SerializationContext.Empty), null, 0, InMemoryCluster.TxnState.Pending, dead));
            harness.Cluster.Append(StreamThreadHarness.SumsChangelog, 0, new InMemoryCluster.StoredRecord(CommitMarkers.Key,
                new StoreCheckpoint(committed.CommitSequence + 1, committed.InputOffsets, attempt).Encode(), CommitMarkers.Headers, 0,
                InMemoryCluster.TxnState.Pending, dead));
            harness.Cluster.EndTransaction(dead, commit: false);
        }

        StandbyRound(harness, standby);
        Assert.Equal(12, StandbyValue(standby, StreamThreadHarness.SumsStoreName)); // neither dead attempt applied
        owner.Dispose();

        var restoredBefore = harness.Metrics.RestoredTotal;
        standby.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        standby.RunUntilIdle();

        Assert.True(standby.Fatal is null && standby.HealthOf(0).State == TaskHealthState.Running, $"{standby.Fatal}\n{harness.Logs.Recent(60)}");
        Assert.Equal(7, standby.Count(0, "a"));
        Assert.Equal(12, standby.Task(0).GetStore<string, long>(StreamThreadHarness.SumsStoreName).Get("a"));
        // Only what the standby held back: the primary's last transaction.
        Assert.Equal(uncommittedVisible ? 1 : 0, harness.Metrics.RestoredTotal - restoredBefore);

        // Processing goes on: the dropped attempt's key is repaired by the next commit, which writes "sums" for it.
        CommitOne(harness, standby, value: 0);
        Assert.Equal(8, standby.Count(0, "a"));
        Assert.Equal(uncommittedVisible ? 5 : 2, Markers(harness, StreamThreadHarness.SumsChangelog)); // the dead attempts' and the repair's
    }

    private static long? StandbyValue(StreamThreadHarness.Member member, string store) =>
        member.Standbys!.Inspect(s_task0, s => s.Store(store).Get(Key("a")) is { } v
            ? Serdes.Int64.Deserializer.Deserialize(v, false, SerializationContext.Empty)
            : (long?)null);

    private static int Markers(StreamThreadHarness harness, string changelog) =>
        harness.Cluster.Read(changelog, 0, 0).Count(r => CommitMarkers.IsMarker(r.Record.Headers));

    [Fact]
    public void AStandbyServesNoQueryAndShowsInHealthAndMetricsWithItsLag()
    {
        using var harness = Harness(uncommittedVisible: false);
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        var standby = harness.Join(1);
        standby.RunUntilIdle();
        CommitOne(harness, owner);
        CommitOne(harness, owner);
        StandbyRound(harness, standby);
        Assert.Equal(2, StandbyCount(standby, "a"));

        // Queries resolve stores through the running tasks only (StreamsApplication.LocalStores and
        // QueryMetadataForKey): the standby's instance has none for the task, so it neither answers nor claims the key.
        Assert.DoesNotContain(standby.Thread.Tasks, t => t.Id == s_task0);
        Assert.Throws<InvalidOperationException>(() => standby.Task(0));
        var health = Assert.Single(standby.Thread.Health(), h => h.TaskId == s_task0);
        Assert.Equal(s_task0, health.TaskId);
        Assert.Equal(TaskHealthState.Standby, health.State);
        Assert.Equal(0, health.Lag);
        Assert.Equal(2, harness.Metrics.StandbyAppliedTotal); // task 0_1 (the owner keeps its standby) has no changelog data

        // The owner commits on; the standby's next round follows.
        CommitOne(harness, owner);
        StandbyRound(harness, standby);
        Assert.Equal(3, StandbyCount(standby, "a"));
        Assert.Equal(TaskHealthState.Running, owner.HealthOf(0).State);
    }

    [Fact]
    public void EachInstanceKeepsAStandbyOfTheOthersTaskAndNeverOfItsOwn()
    {
        using var harness = Harness(uncommittedVisible: false);
        var first = harness.Join(0);
        first.RunUntilIdle();
        var second = harness.Join(1);
        second.RunUntilIdle();
        StandbyRound(harness, first);
        second.Step();
        Assert.Equal([new TaskId(0, 1)], first.Standbys!.Ids);
        Assert.Equal([s_task0], second.Standbys!.Ids);
    }

    [Fact]
    public void ARoundIsBoundedAndStopsAtACommitMarker()
    {
        using var harness = Harness(uncommittedVisible: false, recordsPerRound: 1);
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        var standby = harness.Join(1);
        standby.RunUntilIdle();
        for (var i = 0; i < 4; i++)
        {
            CommitOne(harness, owner);
        }

        // One record per round at most: each round stops at the marker after its first record.
        StandbyRound(harness, standby);
        Assert.Equal(1, StandbyCount(standby, "a"));
        Assert.True(standby.Thread.Health().Single(h => h.TaskId == s_task0).Lag > 0, "the lag of a standby three transactions behind is 0");
        StandbyRound(harness, standby);
        Assert.Equal(2, StandbyCount(standby, "a"));
        StandbyRound(harness, standby);
        StandbyRound(harness, standby);
        Assert.Equal(4, StandbyCount(standby, "a"));
        Assert.Equal(0, standby.Thread.Health().Single(h => h.TaskId == s_task0).Lag);
    }
}
