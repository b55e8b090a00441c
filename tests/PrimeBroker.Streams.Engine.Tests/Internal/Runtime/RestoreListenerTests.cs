using System.Diagnostics.Metrics;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// The restore listener (<see cref="StreamsConfig.StateRestoreListener"/>, Kafka Streams' <c>StateRestoreListener</c>)
/// and what is built on the same calls (<see cref="TaskHealth.RestoreRemaining"/> and the gauge
/// <c>kafka.streams.restore_remaining_records</c>), on real stream threads over the in-memory cluster
/// (<see cref="StreamThreadHarness"/>): a restore spread over the thread's catch-up rounds is one start, batches whose
/// counts add up to the records the changelog holds, and one end with remaining 0; a restore cut short by a revocation
/// is suspended; a standby's catch-up is an update and never reaches the listener; a listener that throws does not stop
/// the restore. Both isolations: readers that see committed records only (a real cluster) and readers that see aborted
/// and open transactions (the embedded cluster).
/// </summary>
public sealed class RestoreListenerTests
{
    private const int Transactions = 6;
    private static readonly TopicPartition s_changelog0 = new(StreamThreadHarness.Changelog, 0);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARestoreOverManyRoundsIsOneStartBatchesThatAddUpAndOneEndWithNothingRemaining(bool uncommittedVisible)
    {
        var listener = new RecordingListener();
        using var harness = new StreamThreadHarness(c => c with { StandbyRecordsPerRound = 1, StateRestoreListener = listener },
            persistentStore: true, uncommittedVisible: uncommittedVisible);
        var owner = CommitTransactions(harness);
        var taker = harness.Join(1);
        taker.RunUntilIdle();
        owner.Dispose();
        listener.Clear();
        listener.AtEnd = () => Gauge(taker); // the gauge while the listener hears of the end

        var changelogEnd = harness.Cluster.Topic(StreamThreadHarness.Changelog)[0].End;
        var committedRecords = harness.Cluster.Read(StreamThreadHarness.Changelog, 0, 0)
            .Count(r => r.Record.State == InMemoryCluster.TxnState.Committed && !CommitMarkers.IsMarker(r.Record.Headers));
        taker.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        taker.Step();
        var remainingSeen = new List<long>();
        for (var rounds = 0; taker.HealthOf(0).State == TaskHealthState.Restoring; rounds++)
        {
            Assert.True(rounds < 50, "task 0_0 still restores after 50 rounds\n" + harness.Logs.Recent(40));
            var health = taker.HealthOf(0);
            if (health.RestoreRemaining >= 0)
            {
                remainingSeen.Add(health.RestoreRemaining);
                // The gauge says the same, per store, with the task and store attributes.
                var gauge = Assert.Single(Gauge(taker));
                Assert.Equal((health.RestoreRemaining, "0_0", StreamThreadHarness.StoreName), gauge);
            }

            harness.CommitIntervalPasses();
            taker.Step();
        }

        Assert.Equal(TaskHealthState.Running, taker.HealthOf(0).State);
        Assert.Equal(Transactions, taker.Count(0, "a"));

        var events = listener.Of(s_changelog0);
        var start = Assert.Single(events, e => e.Kind == "start");
        Assert.Equal((0L, changelogEnd), (start.Start, start.End));
        Assert.Same(start, events[0]);
        var batches = events.Where(e => e.Kind == "batch").ToList();
        Assert.True(batches.Count >= 2, $"{batches.Count} batches: the restore was not spread over rounds");
        Assert.All(batches, b => Assert.True(b.Count > 0, "a batch of no records was reported"));
        Assert.Equal(batches.Select(b => b.Offset).Order(), batches.Select(b => b.Offset)); // positions only move forward
        Assert.Equal(changelogEnd - 1, batches[^1].Offset); // the last batch ends at the last commit marker
        var end = Assert.Single(events, e => e.Kind == "end");
        Assert.Same(end, events[^1]);
        Assert.Equal(committedRecords, batches.Sum(b => b.Count));
        Assert.Equal(committedRecords, end.Count);
        Assert.DoesNotContain(events, e => e.Kind == "suspended");

        // Remaining never grew, ended at 0 in the gauge while the listener heard of the end, and is gone after.
        Assert.True(remainingSeen.Count >= 2, $"remaining seen {remainingSeen.Count} times");
        Assert.Equal(remainingSeen.OrderDescending(), remainingSeen);
        Assert.True(remainingSeen[0] > 0, "nothing remained at the first round");
        Assert.Equal([(0L, "0_0", StreamThreadHarness.StoreName)], listener.GaugeAtEnd);
        Assert.Empty(Gauge(taker));
        Assert.Equal(-1, taker.HealthOf(0).RestoreRemaining);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARestoreCutShortByARevocationIsSuspendedWithWhatItApplied(bool uncommittedVisible)
    {
        var listener = new RecordingListener();
        using var harness = new StreamThreadHarness(c => c with { StandbyRecordsPerRound = 1, StateRestoreListener = listener },
            persistentStore: true, uncommittedVisible: uncommittedVisible);
        var owner = CommitTransactions(harness);
        var taker = harness.Join(1);
        taker.RunUntilIdle();
        owner.Dispose();
        listener.Clear();

        taker.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        taker.Step();
        // Revoke after the first applied batch: since catch-up rounds continue where the last read stopped, the round
        // after it may finish the whole restore on the embedded cluster's behaviour (uncommitted records visible).
        for (var rounds = 0; !listener.Of(s_changelog0).Any(e => e.Kind == "batch"); rounds++)
        {
            Assert.True(rounds < 20, "no batch after 20 rounds\n" + harness.Logs.Recent(40));
            harness.CommitIntervalPasses();
            taker.Step();
        }

        Assert.Equal(TaskHealthState.Restoring, taker.HealthOf(0).State);
        taker.Consumer.Rebalance(StreamThreadHarness.Input(1)); // partition 0 goes elsewhere mid-restore
        taker.RunUntilIdle();

        var events = listener.Of(s_changelog0);
        var suspended = Assert.Single(events, e => e.Kind == "suspended");
        Assert.Same(suspended, events[^1]);
        Assert.DoesNotContain(events, e => e.Kind == "end");
        Assert.Equal(events.Where(e => e.Kind == "batch").Sum(b => b.Count), suspended.Count);
        Assert.Empty(taker.Thread.RestoreRemaining());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStandbysCatchUpIsAnUpdateAndOnlyTheTailRestoresWhenTheTaskMovesToIt(bool uncommittedVisible)
    {
        var listener = new RecordingListener();
        using var harness = new StreamThreadHarness(c => c with { NumStandbyReplicas = 1, StateRestoreListener = listener },
            persistentStore: true, uncommittedVisible: uncommittedVisible);
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        var standby = harness.Join(1);
        standby.RunUntilIdle();
        listener.Clear();
        for (var i = 0; i < 4; i++)
        {
            CommitOne(harness, owner);
            harness.CommitIntervalPasses();
            standby.Step(); // a standby round
        }

        Assert.True(harness.Metrics.StandbyAppliedTotal > 0, "the standby applied nothing");
        Assert.Empty(listener.Of(s_changelog0)); // an update (kafka.streams.update), not a restore
        Assert.Empty(standby.Thread.RestoreRemaining());
        var position = standby.Standbys!.Inspect(new PrimeBroker.Streams.Engine.Processing.TaskId(0, 0), s => s.Checkpoints[StreamThreadHarness.StoreName]?.ChangelogNextOffset) ?? 0;
        Assert.True(position > 0, "the standby has no position");

        // The task moves to the standby's instance: its restore starts where the standby stood and reads the tail only.
        // The last commit moves the clock by the minimum commit interval only, so no standby round is due to catch up
        // the tail before the assignment is handled.
        CommitOne(harness, owner, quickly: true);
        owner.Dispose();
        var committedAfter = harness.Cluster.Read(StreamThreadHarness.Changelog, 0, position)
            .Count(r => r.Record.State == InMemoryCluster.TxnState.Committed && !CommitMarkers.IsMarker(r.Record.Headers));
        standby.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        standby.RunUntilIdle();

        Assert.Equal(TaskHealthState.Running, standby.HealthOf(0).State);
        var events = listener.Of(s_changelog0);
        Assert.Equal(position, Assert.Single(events, e => e.Kind == "start").Start);
        Assert.Equal(committedAfter, Assert.Single(events, e => e.Kind == "end").Count);
        Assert.Equal(committedAfter, events.Where(e => e.Kind == "batch").Sum(b => b.Count));
        Assert.Equal(5, standby.Count(0, "a"));
    }

    [Fact]
    public void AListenerThatThrowsIsLoggedAndTheRestoreCompletes()
    {
        var listener = new RecordingListener { Throw = true };
        using var harness = new StreamThreadHarness(c => c with { StateRestoreListener = listener }, persistentStore: true);
        var owner = CommitTransactions(harness);
        var taker = harness.Join(1);
        taker.RunUntilIdle();
        owner.Dispose();
        var warnings = harness.Logs.Count("RestoreListenerFailed");

        taker.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        taker.RunUntilIdle();

        Assert.Equal(TaskHealthState.Running, taker.HealthOf(0).State);
        Assert.Equal(Transactions, taker.Count(0, "a"));
        // Every call threw and was logged: at least the start, a batch and the end of task 0_0's restore.
        Assert.True(harness.Logs.Count("RestoreListenerFailed") - warnings >= 3, harness.Logs.Recent(40));
    }

    /// <summary>A member owning partition 0 that committed <see cref="Transactions"/> transactions of one record each.</summary>
    private static StreamThreadHarness.Member CommitTransactions(StreamThreadHarness harness)
    {
        var owner = harness.Join(0);
        owner.RunUntilIdle();
        for (var i = 0; i < Transactions; i++)
        {
            CommitOne(harness, owner);
        }

        Assert.Equal(Transactions, harness.CommittedCount(0, "a"));
        return owner;
    }

    private static void CommitOne(StreamThreadHarness harness, StreamThreadHarness.Member owner, bool quickly = false)
    {
        harness.Produce(0, "a");
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

    /// <summary>What the thread hands the gauge <c>kafka.streams.restore_remaining_records</c> (StreamsApplication
    /// wires it; <see cref="PrimeBroker.Streams.Engine.Tests.Internal.EngineMetricsTests"/> shows the attributes it becomes): (value, task, store) per store.</summary>
    private static List<(long Value, string Task, string Store)> Gauge(StreamThreadHarness.Member member) =>
        [.. member.Thread.RestoreRemaining().Select(m => (m.Value, Tag(m, "task"), Tag(m, "store")))];

    private static string Tag(Measurement<long> measurement, string key)
    {
        foreach (var tag in measurement.Tags)
        {
            if (tag.Key == key)
            {
                return (string)tag.Value!;
            }
        }

        throw new InvalidOperationException($"no tag {key}");
    }

    private sealed record Event(string Kind, TopicPartition Changelog, string Store, long Start = -1, long End = -1, long Offset = -1, long Count = -1);

    /// <summary>Keeps every call; thread-safe as the contract asks (the stream thread calls, the test reads).</summary>
    private sealed class RecordingListener : IStateRestoreListener
    {
        private readonly List<Event> _events = new();

        public bool Throw { get; init; }

        public Func<List<(long, string, string)>>? AtEnd { get; set; }

        public List<(long, string, string)>? GaugeAtEnd { get; private set; }

        public List<Event> Of(TopicPartition changelog)
        {
            lock (_events)
            {
                return _events.Where(e => e.Changelog == changelog).ToList();
            }
        }

        public void Clear()
        {
            lock (_events)
            {
                _events.Clear();
            }
        }

        public void OnRestoreStart(TopicPartition changelog, string storeName, long startOffset, long endOffset) =>
            Add(new Event("start", changelog, storeName, Start: startOffset, End: endOffset));

        public void OnBatchRestored(TopicPartition changelog, string storeName, long batchEndOffset, long numRestored) =>
            Add(new Event("batch", changelog, storeName, Offset: batchEndOffset, Count: numRestored));

        public void OnRestoreEnd(TopicPartition changelog, string storeName, long totalRestored)
        {
            GaugeAtEnd = AtEnd?.Invoke();
            Add(new Event("end", changelog, storeName, Count: totalRestored));
        }

        public void OnRestoreSuspended(TopicPartition changelog, string storeName, long totalRestored) =>
            Add(new Event("suspended", changelog, storeName, Count: totalRestored));

        private void Add(Event e)
        {
            lock (_events)
            {
                _events.Add(e);
            }

            if (Throw)
            {
                throw new InvalidOperationException("listener failure");
            }
        }
    }
}
