using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>The transaction a stream thread's tasks write into: Kafka's at run time, memory in the test driver.</summary>
internal interface ITransaction
{
    /// <summary>Waits until everything sent so far is delivered (and its delivery callbacks ran); throws on a delivery error.</summary>
    void Flush();

    /// <summary>Adds the input offsets to the transaction (none: no group offset commit) and commits it.</summary>
    void Commit(IReadOnlyDictionary<TopicPartition, long> inputOffsets);
}

/// <summary>How a commit adapts to the cluster (see <see cref="TaskCommitter.Commit"/>).</summary>
/// <param name="GroupOffsetsForAll">Every committing task's input offsets go into the transaction's group offset commit
/// (<see cref="StreamsConfig.TransactionalGroupOffsets"/>); false: only those of tasks without a changelog, whose
/// position has no commit marker to travel in.</param>
/// <param name="UncommittedHidden">Readers of the changelogs never see records of a transaction that did not commit
/// (<see cref="StreamsConfig.ReadCommittedHidesUncommitted"/>): the markers need no order among themselves, so the
/// secondary markers need no flush of their own.</param>
internal readonly record struct CommitOptions(bool GroupOffsetsForAll, bool UncommittedHidden)
{
    /// <summary>Every offset to the group, two flushes: right on every cluster.</summary>
    public static CommitOptions Safe => new(GroupOffsetsForAll: true, UncommittedHidden: false);
}

/// <summary>Where one commit's time went, step by step, in milliseconds (the stream thread's debug log, event 1095).</summary>
/// <param name="Tasks">Tasks committed.</param>
/// <param name="ChangelogRecords">Changelog records written (last value per key of every overlay, repairs included).</param>
/// <param name="Markers">Commit markers written.</param>
/// <param name="ChangelogMs">Sending the changelog records.</param>
/// <param name="SecondaryMarkersMs">Sending the markers of the secondary stores.</param>
/// <param name="FirstFlushMs">The flush between secondary and primary markers (0 where it is left out).</param>
/// <param name="PrimaryMarkersMs">Sending the primary stores' markers.</param>
/// <param name="SecondFlushMs">The flush after the primary markers.</param>
/// <param name="KafkaCommitMs">Offsets (when any) and the Kafka commit, thread hop included.</param>
/// <param name="LocalWriteMs">Every task's local RocksDB batch.</param>
internal readonly record struct CommitBreakdown(int Tasks, int ChangelogRecords, int Markers, double ChangelogMs, double SecondaryMarkersMs,
    double FirstFlushMs, double PrimaryMarkersMs, double SecondFlushMs, double KafkaCommitMs, double LocalWriteMs)
{
    /// <summary>Nothing committed.</summary>
    public static CommitBreakdown None => default;
}

/// <summary>The points of the commit protocol a crash test can stop at (see <see cref="TaskCommitter.StepObserver"/>).</summary>
internal enum CommitStep
{
    /// <summary>Changelog records sent (and, for the observer, flushed); no marker yet.</summary>
    ChangelogWritten,

    /// <summary>The markers of the secondary stores written in this commit delivered (flushed where readers can see
    /// uncommitted records); no primary marker sent yet.</summary>
    SecondaryMarkersWritten,

    /// <summary>Every marker delivered; the Kafka commit not yet sent.</summary>
    MarkersWritten,

    /// <summary>The Kafka transaction committed; the local stores not yet written.</summary>
    KafkaCommitted,
}

/// <summary>
/// The exactly-once commit protocol over the tasks of one transaction. Shared by the stream thread and the test driver,
/// so the driver exercises the same steps and crash points.
/// </summary>
internal static class TaskCommitter
{
    /// <summary>
    /// For crash tests of the running engine: called at each <see cref="CommitStep"/> with a flush of the transaction, so
    /// a test process can make what was sent durable and kill itself exactly there. Null in production.
    /// </summary>
    internal static Action<CommitStep, Action>? StepObserver { get; set; }

    /// <summary>
    /// For takeover measurements of the running engine: called on the committing thread after every commit with the
    /// tasks it committed (their local stores written). Null in production.
    /// </summary>
    internal static Action<IReadOnlyList<TaskId>>? CommitObserver { get; set; }

    /// <summary>Commits every task with uncommitted work. Returns how many tasks committed. On an exception nothing
    /// local changed; the caller aborts the transaction and rolls the tasks back.</summary>
    /// <param name="tasks">The thread's running tasks; those with uncommitted work commit.</param>
    /// <param name="transaction">The thread's transaction.</param>
    /// <param name="metrics">Where the commit is counted and timed.</param>
    /// <param name="options">How the commit adapts to the cluster.</param>
    /// <param name="breakdown">Where the commit's time went (<see cref="CommitBreakdown.None"/> when nothing committed).</param>
    /// <param name="stepHook">Called at each <see cref="CommitStep"/> before <see cref="StepObserver"/>: the test driver's
    /// crash simulation (it throws there). Null at run time.</param>
    public static int Commit(IReadOnlyCollection<StreamTask> tasks, ITransaction transaction, EngineMetrics metrics, CommitOptions options, out CommitBreakdown breakdown,
        Action<CommitStep>? stepHook = null)
    {
        breakdown = CommitBreakdown.None;
        var committing = tasks.Where(t => t.NeedsCommit).ToList();
        if (committing.Count == 0)
        {
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        var attempt = Random.Shared.NextInt64(1, long.MaxValue);
        var checkpoints = committing.ToDictionary(t => t, t => t.NextCheckpoint(attempt));
        var markerOffsets = new ConcurrentDictionary<TransactionalBytesStore, long>();

        // 1. The transaction's changelog records; the outputs were sent while processing.
        var changelogRecords = 0;
        foreach (var task in committing)
        {
            changelogRecords += task.WriteChangelogRecords();
        }

        var changelogSent = Stopwatch.GetTimestamp();

        Reached(CommitStep.ChangelogWritten, transaction, stepHook);

        // 2. Markers of the secondary stores this commit wrote, then (once those are delivered) the primary's, which every
        //    commit writes (it carries the input position). A primary marker therefore proves that every marker of its
        //    attempt is in the log; TaskRestorer relies on that. A store the commit did not write gets no marker: its
        //    changelog's last marker stays that of the last commit that wrote it, which the restore accepts as long as it
        //    is older than the primary's (EXACTLY-ONCE.md, "Restore rules": an attempt that wrote a store and did not
        //    commit leaves repair keys, so the store is written, and marked, again before any later commit).
        var secondaries = false;
        var markers = 0;
        var written = new Dictionary<StreamTask, IReadOnlyList<TransactionalBytesStore>>(committing.Count);
        foreach (var task in committing)
        {
            var stores = task.StoresToMark();
            written[task] = stores;
            foreach (var store in stores.Skip(1))
            {
                task.WriteMarker(store, checkpoints[task], offset => markerOffsets[store] = offset);
                secondaries = true;
                markers++;
            }
        }

        var secondariesSent = Stopwatch.GetTimestamp();

        // Where a reader can see an uncommitted transaction (the embedded cluster), the primary marker must not reach
        // the log before the secondaries: a kill between them would leave a primary marker whose attempt looks complete.
        // Where it cannot, the transaction's commit makes all of them visible at once.
        if (secondaries && !options.UncommittedHidden)
        {
            transaction.Flush();
        }

        var firstFlushed = Stopwatch.GetTimestamp();
        Reached(CommitStep.SecondaryMarkersWritten, transaction, stepHook);
        foreach (var task in committing.Where(t => t.LoggedStores.Count > 0))
        {
            var primary = task.LoggedStores[0];
            task.WriteMarker(primary, checkpoints[task], offset => markerOffsets[primary] = offset);
            markers++;
        }

        var primariesSent = Stopwatch.GetTimestamp();
        transaction.Flush();
        var secondFlushed = Stopwatch.GetTimestamp();
        Reached(CommitStep.MarkersWritten, transaction, stepHook);

        // Crash point "before the Kafka commit": everything is delivered, nothing is committed. On a real cluster the
        // transaction is aborted (fencing or timeout) and read_committed hides it, so the next owner restores the
        // previous marker and reprocesses. On a cluster that shows uncommitted records (the embedded mock) the next owner
        // sees complete markers and takes this attempt as the state; the input offsets inside the marker match it, so
        // no input is applied twice or lost either way.
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (var task in committing.Where(t => options.GroupOffsetsForAll || t.LoggedStores.Count == 0))
        {
            foreach (var (tp, offset) in checkpoints[task].InputOffsets)
            {
                offsets[tp] = offset;
            }
        }

        var committingStarted = Stopwatch.GetTimestamp();
        transaction.Commit(offsets);
        var kafkaCommitted = Stopwatch.GetTimestamp();
        Reached(CommitStep.KafkaCommitted, transaction, stepHook);

        // Crash point "between the Kafka commit and the local write": the local checkpoints stay one commit behind; the
        // next start restores the changelog tail from the local changelog position and reaches this commit.
        foreach (var task in committing)
        {
            var own = written[task].Where(markerOffsets.ContainsKey).ToDictionary(s => s, s => markerOffsets[s]);
            if (own.Count != written[task].Count)
            {
                throw new InvalidOperationException($"Task {task.Id}: a commit marker's delivery was not reported after the flush.");
            }

            task.ApplyCommitted(checkpoints[task], own);
        }

        var applied = Stopwatch.GetTimestamp();
        metrics.RecordCommit(committing.Count, Stopwatch.GetElapsedTime(started));
        breakdown = new CommitBreakdown(committing.Count, changelogRecords, markers, Ms(started, changelogSent), Ms(changelogSent, secondariesSent),
            Ms(secondariesSent, firstFlushed), Ms(firstFlushed, primariesSent), Ms(primariesSent, secondFlushed), Ms(committingStarted, kafkaCommitted),
            Ms(kafkaCommitted, applied));
        CommitObserver?.Invoke(committing.Select(t => t.Id).ToList());
        return committing.Count;
    }

    private static void Reached(CommitStep step, ITransaction transaction, Action<CommitStep>? stepHook)
    {
        stepHook?.Invoke(step);
        StepObserver?.Invoke(step, transaction.Flush);
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
