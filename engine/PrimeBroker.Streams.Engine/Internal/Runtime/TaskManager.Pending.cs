using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// Tasks that are assigned to the thread but not running: suspended across a rebalance (committed, still open), or
/// waiting in the thread's loop for their restore. A rebalance callback only moves tasks between these sets and hands
/// back positions; the loop starts them, with their partitions paused until then (health: Restoring).
/// </summary>
/// <remarks>
/// A task to restore starts in two phases. First its stores are opened and caught up with their changelogs in rounds
/// (<see cref="WarmUpPending"/>): every loop round reads the changelogs of all such tasks together, in one assignment
/// and for a bounded time, and applies committed transactions only, as a standby does, so a long restore is spread over
/// many rounds and the running tasks are polled and committed between them. Once a task has read every changelog to
/// the last stable offset of its round, its restore proper (<see cref="Assign"/>) reads only the tail from there.
/// </remarks>
/// <remarks>
/// Exactly-once: only a task whose revoke-time commit succeeded is suspended, so its memory (stores, positions,
/// processors) is exactly its last commit. When it comes back it is resumed only if nobody changed its state in
/// between (<see cref="IsCurrent"/>); otherwise it is closed and restored from the log like any new task.
/// </remarks>
internal sealed partial class TaskManager
{
    // Concurrent: other threads ask whether a task is held here (Holds).
    private readonly ConcurrentDictionary<TaskId, StreamTask> _suspended = new();
    private readonly List<PendingTask> _pending = new();
    private volatile int _pendingCount;
    private long _lastCatchUpEnd;
    private long _lastApplyMs;
    private readonly Dictionary<(string Topic, int Partition), (long Start, long Stable)> _extents = new();
    private long _extentsReadAt;

    /// <summary>Whether assigned tasks still wait for their restore (or resume check). Any thread.</summary>
    public bool HasPending => _pendingCount > 0;

    /// <summary>Input partitions of the pending tasks. Stream thread only.</summary>
    public IReadOnlyList<TopicPartition> PendingPartitions => _pending.SelectMany(p => p.Partitions).ToList();

    /// <summary>Takes the running tasks that read any of <paramref name="revoked"/> out of the running set without
    /// closing them. Call only after a successful commit of every task.</summary>
    public void Suspend(IReadOnlySet<TopicPartition> revoked)
    {
        foreach (var task in _tasks.Values.Where(t => t.InputPartitions.Any(revoked.Contains)).ToList())
        {
            _tasks.TryRemove(task.Id, out _);
            _progress.Forget(task.Id, task.InputPartitions);
            foreach (var tp in task.InputPartitions)
            {
                _byPartition.Remove(tp);
            }

            _suspended[task.Id] = task;
            task.FlushState();
            _metrics.RecordTaskSuspension(task.Id);
        }
    }

    /// <summary>
    /// Queues the tasks of <paramref name="partitions"/> for the loop and returns the position to hand the consumer for
    /// each partition: a suspended task's committed position (it most likely resumes there), <see cref="Offset.End"/>
    /// for a task that still has to restore (the loop seeks it once its position is known). Suspended tasks that did
    /// not come back are closed. The caller pauses the partitions until their task runs.
    /// </summary>
    public List<TopicPartitionOffset> Enqueue(IReadOnlyCollection<TopicPartition> partitions)
    {
        var result = new List<TopicPartitionOffset>();
        var now = _time.TickMilliseconds();
        foreach (var group in partitions.GroupBy(tp => new TaskId(_runtime.SubTopologyByTopic[tp.Topic].Id, tp.Partition.Value)))
        {
            if (_tasks.TryGetValue(group.Key, out var running) || _pending.Any(p => p.Id == group.Key))
            {
                result.AddRange(group.Select(tp => new TopicPartitionOffset(tp, running?.NextOffsets.GetValueOrDefault(tp, Offset.End.Value) ?? Offset.End.Value)));
                continue;
            }

            StreamTask? suspended = null;
            if (_suspended.TryRemove(group.Key, out var candidate))
            {
                if (candidate.InputPartitions.Count == group.Count() && candidate.InputPartitions.All(group.Contains))
                {
                    suspended = candidate;
                }
                else
                {
                    candidate.Close();
                }
            }

            _pending.Add(new PendingTask(group.Key, group.ToList(), suspended));
            _restoring[group.Key] = now;
            result.AddRange(group.Select(tp => new TopicPartitionOffset(tp,
                suspended is not null && suspended.NextOffsets.TryGetValue(tp, out var next) ? next : Offset.End)));
        }

        _pendingCount = _pending.Count;
        CloseSuspended(except: null, clean: true);
        return result;
    }

    /// <summary>Drops the pending tasks that read any of <paramref name="revoked"/> (all when null). A suspended one
    /// among them has not run since its commit, so it goes back to the suspended set (a rebalance that follows another
    /// at once may give it back again); the caller closes the suspended set when that is wrong (lost, stopping). One
    /// that was catching up is closed (its stores keep what they applied, with their checkpoints).</summary>
    public void DropPending(IReadOnlySet<TopicPartition>? revoked)
    {
        foreach (var pending in _pending.Where(p => revoked is null || p.Partitions.Any(revoked.Contains)).ToList())
        {
            _pending.Remove(pending);
            _restoring.TryRemove(pending.Id, out _);
            if (pending.Suspended is { } task)
            {
                _suspended[task.Id] = task;
            }

            pending.Warming?.Task.Dispose();
        }

        _pendingCount = _pending.Count;
    }

    /// <summary>Catch-up rounds in a row that read and apply nothing for a task not yet caught up before it gives the
    /// catch-up up and restores from where its stores are (see <see cref="WarmUpPending"/>).</summary>
    internal const int MaxIdleWarmUpRounds = 5;

    /// <summary>Whether some pending task can start now: a suspended one, one caught up with its changelogs, or one that
    /// could not be opened for its catch-up (its start reports why). Stream thread only.</summary>
    public bool HasStartable => _pending.Any(p => p.Startable);

    /// <summary>
    /// A round of catching up the pending tasks that restore (see the type's remarks): opens those not opened yet (the
    /// instance's standby of the task is closed first), reads the log starts and last stable offsets of all their
    /// changelogs (one request each), then what moved of all of them in one read of at most <paramref name="budget"/>,
    /// each partition stopping at the first commit marker after <paramref name="maxRecords"/> records.
    /// </summary>
    /// <remarks>Every round continues where the last read stopped (<see cref="ChangelogCatchUp"/>), so a round that reads
    /// anything is progress even when it completes no transaction. A task whose rounds read and apply nothing
    /// <see cref="MaxIdleWarmUpRounds"/> times in a row (a reader that returns nothing while the task is not caught up)
    /// stops catching up and restores from where its stores are, with the restore's own reads: the catch-up saves
    /// time, never correctness, and must never hold a task back for good.</remarks>
    public void WarmUpPending(IChangelogReader reader, Func<TaskEnvironment> environment, TimeSpan budget, long maxRecords)
    {
        foreach (var pending in _pending.Where(p => p.Suspended is null && p.Warming is null && !p.OpenFailed))
        {
            try
            {
                BeforeTaskOpens?.Invoke(pending.Id);
                var sub = _runtime.SubTopologyByTopic[pending.Partitions[0].Topic];
                pending.Warming = new ChangelogCatchUp(TrackRestore(new StreamTask(pending.Id, sub, _runtime.Topology, environment())));
            }
            catch (Exception ex) when (StoreErrors.IsOpenFailure(ex) || ex is InvalidOperationException)
            {
                // Its start (Assign) opens it again and parks or fails it with the error.
                pending.OpenFailed = true;
            }
        }

        var warming = _pending.Where(p => p.Warming is { CaughtUp: false }).Select(p => p.Warming!).ToList();
        if (warming.Count == 0)
        {
            return;
        }

        var roundStart = _time.TickMilliseconds();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var extents = Extents(reader, warming.SelectMany(w => w.ChangelogPartitions).ToList(), roundStart);
            foreach (var catchUp in warming)
            {
                catchUp.Observe(extents);
            }

            var extentsMs = clock.Elapsed.TotalMilliseconds;
            var ranges = warming.SelectMany(w => w.Ranges(extents)).ToList();
            var readBudget = RestoreBudget.ForRead((long)_config.CommitInterval.TotalMilliseconds, (long)budget.TotalMilliseconds, (long)extentsMs, _lastApplyMs);
            var batches = reader.ReadMany(ranges, maxRecords, TimeSpan.FromMilliseconds(readBudget));
            var readMs = clock.Elapsed.TotalMilliseconds - extentsMs;
            long appliedAll = 0;
            foreach (var catchUp in warming)
            {
                long applied = catchUp.CatchUp(reader, batches, extents);
                appliedAll += applied;
                var pending = _pending.First(p => ReferenceEquals(p.Warming, catchUp));
                pending.IdleWarmUpRounds = applied > 0 || catchUp.LastRoundRecords > 0 || catchUp.CaughtUp ? 0 : pending.IdleWarmUpRounds + 1;
                if (pending.IdleWarmUpRounds >= MaxIdleWarmUpRounds)
                {
                    // Rounds that read nothing while the task is not caught up do not converge; the restore proper reads
                    // the whole tail with reads of its own and ends at the known end offset.
                    _logger.WarmUpFailed(catchUp.Id.ToString(), $"{MaxIdleWarmUpRounds} catch-up rounds read nothing");
                    pending.GiveUpWarmUp = true;
                }
            }

            _lastApplyMs = (long)(clock.Elapsed.TotalMilliseconds - extentsMs - readMs);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var stats = (reader as KafkaChangelogReader)?.LastRead ?? default;
                _logger.CatchUpRound(warming.Count, ranges.Count, roundStart - _lastCatchUpEnd, extentsMs, readMs, stats.FirstAnswerMs,
                    batches.Values.Sum(b => (long)b.Records.Count), stats.EmptyPolls, clock.Elapsed.TotalMilliseconds - extentsMs - readMs, appliedAll,
                    warming.Sum(w => Math.Max(0, w.Lag)));
            }
        }
        catch (Exception ex) when (ex is ChangelogTruncatedException or KafkaException or TimeoutException or InvalidOperationException or InvalidDataException)
        {
            // The restore proper meets the same condition and parks or fails the task with it; until then nothing more
            // is caught up for these tasks.
            _logger.WarmUpFailed(string.Join(", ", warming.Select(w => w.Id)), ex.Message);
            foreach (var pending in _pending.Where(p => p.Warming is { CaughtUp: false }))
            {
                pending.GiveUpWarmUp = true;
            }
        }
        finally
        {
            _lastCatchUpEnd = _time.TickMilliseconds();
        }
    }

    /// <summary>How long the catch-up reuses the log starts and last stable offsets it read (see <see cref="Extents"/>).</summary>
    internal static readonly TimeSpan ExtentsMaxAge = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The log starts and last stable offsets of the catch-up's changelog partitions: read (one request each for all of
    /// them) when a partition is new to the catch-up or the last reading is older than <see cref="ExtentsMaxAge"/>, else
    /// the last reading. A catch-up round reads toward the last stable offset it knows and the restore proper reads the
    /// tail to the newest one, so an older target only leaves a longer tail; a round that asked anew each time spent
    /// two offset requests per round (5-125 ms each on the loaded machine of the restore bench, against a 50 ms read).
    /// </summary>
    private IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> Extents(IChangelogReader reader,
        IReadOnlyCollection<(string Topic, int Partition)> partitions, long now)
    {
        if (partitions.Any(p => !_extents.ContainsKey(p)) || now - _extentsReadAt >= (long)ExtentsMaxAge.TotalMilliseconds)
        {
            _extents.Clear();
            foreach (var (partition, extent) in reader.CommittedExtents(partitions))
            {
                _extents[partition] = extent;
            }

            _extentsReadAt = now;
        }

        return _extents;
    }

    /// <summary>Closes the suspended tasks (those of <paramref name="except"/> stay).</summary>
    public void CloseSuspended(IReadOnlySet<TaskId>? except, bool clean)
    {
        foreach (var (id, task) in _suspended.Where(e => except is null || !except.Contains(e.Key)).ToList())
        {
            _suspended.TryRemove(id, out _);
            if (clean)
            {
                task.Close();
            }
            else
            {
                task.Dispose();
            }
        }
    }

    /// <summary>
    /// Reads the log start and end of every changelog partition of every pending task in one request each
    /// (<see cref="IChangelogReader.Prefetch"/>), for the restores and resume checks of this loop round. On an error
    /// each task asks for its own partitions as it starts.
    /// </summary>
    public void PrefetchChangelogOffsets(IChangelogReader reader)
    {
        var partitions = new List<(string Topic, int Partition)>();
        foreach (var pending in _pending)
        {
            var sub = _runtime.SubTopologyByTopic[pending.Partitions[0].Topic];
            partitions.AddRange(sub.StoreNames
                .Where(store => _runtime.Topology.Stores[store].LoggingEnabled)
                .Select(store => (InternalTopics.Changelog(_runtime.ApplicationId, store), pending.Id.Partition)));
        }

        try
        {
            reader.Prefetch(partitions);
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException)
        {
            reader.ForgetPrefetched();
        }
    }

    /// <summary>
    /// Starts the next pending task: a suspended task that is still current runs again as it is (no close, no restore);
    /// any other is created and restored (<see cref="Assign"/>). Returns the positions to seek to (<see cref="Offset.End"/>
    /// for a task that could not start; its partitions are listed in <paramref name="toPause"/>), and lists the
    /// partitions of a task that runs now in <paramref name="toResume"/>.
    /// </summary>
    public List<TopicPartitionOffset> StartNextPending(IConsumer<byte[], byte[]> consumer, IChangelogReader reader, TaskEnvironment env,
        List<TopicPartition> toPause, List<TopicPartition> toResume)
    {
        var next = _pending.FirstOrDefault(p => p.Startable);
        if (next is null)
        {
            return [];
        }

        _pending.Remove(next);
        try
        {
            if (next.Suspended is { } task)
            {
                if (IsCurrent(task, consumer, reader, out var why))
                {
                    foreach (var tp in task.InputPartitions)
                    {
                        _byPartition[tp] = task;
                    }

                    _tasks[task.Id] = task;
                    _progress.Start(task.Id);
                    _restoring.TryRemove(task.Id, out _);
                    toResume.AddRange(task.InputPartitions);
                    _logger.TaskResumed(task.Id.ToString(), task.Committed.CommitSequence);
                    return task.NextOffsets.Select(e => new TopicPartitionOffset(e.Key, e.Value)).ToList();
                }

                // Its memory may be behind the log: close it without running the processors' Close on stale state, and
                // restore it like a new task.
                _logger.TaskNotResumed(task.Id.ToString(), why);
                task.Dispose();
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var before = next.Warming?.AppliedRecords ?? 0;
            var positions = Assign(next.Partitions, consumer, reader, env, toPause, toResume,
                next.Warming is { } warm ? new Dictionary<TaskId, StreamTask> { [next.Id] = warm.Task } : null);
            if (_logger.IsEnabled(LogLevel.Debug) && _tasks.TryGetValue(next.Id, out var started))
            {
                _logger.RestoreProper(next.Id.ToString(), clock.Elapsed.TotalMilliseconds, started.RestoredRecords - before);
            }

            return positions;
        }
        finally
        {
            _pendingCount = _pending.Count;
        }
    }

    /// <summary>
    /// Whether a suspended task's memory is still the newest committed state: nobody wrote to its changelogs since its
    /// own last marker (the end offset is where its local checkpoint stands, or, on a real cluster where commit markers
    /// of the transaction take offsets too, a read_committed read from there finds no record), and, for a task without
    /// changelog, the group's committed offsets are its own committed positions. Any doubt (an error, a shorter log)
    /// answers no.
    /// </summary>
    private bool IsCurrent(StreamTask task, IConsumer<byte[], byte[]> consumer, IChangelogReader reader, out string why)
    {
        try
        {
            foreach (var store in task.LoggedStores)
            {
                var next = store.Inner.Checkpoint?.ChangelogNextOffset ?? 0;
                // The read_uncommitted end: a record of any transaction after our marker, even one still open, counts.
                var end = reader.LogEndOffset(store.ChangelogTopic!, store.Partition);
                // The read is short: it
                // ends when the position reaches the end read here (our own commit's control record is the usual
                // single offset between them). It cannot be skipped when the end is one past the checkpoint: a
                // checkpoint restored from a marker whose transaction never got a control record (the embedded cluster
                // shows those) may be followed by one foreign record.
                if (end != next && (end < next
                    || reader.WaitForStableOffset(store.ChangelogTopic!, store.Partition, end) < end
                    || reader.Read(store.ChangelogTopic!, store.Partition, next, end).Any()))
                {
                    why = $"{store.ChangelogTopic} [{store.Partition}] has records after offset {next} (end {end})";
                    return false;
                }
            }

            if (task.LoggedStores.Count == 0)
            {
                foreach (var committed in consumer.Committed(task.InputPartitions, _config.RequestTimeout))
                {
                    if (committed.Offset.Value != task.CommittedPosition(committed.TopicPartition))
                    {
                        why = $"the group's offset of {committed.TopicPartition} is {committed.Offset}, the task's {task.CommittedPosition(committed.TopicPartition)}";
                        return false;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException or InvalidOperationException)
        {
            why = ex.Message;
            return false;
        }

        why = "";
        return true;
    }

    private sealed class PendingTask(TaskId id, IReadOnlyList<TopicPartition> partitions, StreamTask? suspended)
    {
        public TaskId Id { get; } = id;

        public IReadOnlyList<TopicPartition> Partitions { get; } = partitions;

        /// <summary>The task as it was suspended, when it may resume as it is.</summary>
        public StreamTask? Suspended { get; } = suspended;

        /// <summary>The opened task catching up with its changelogs before its restore.</summary>
        public ChangelogCatchUp? Warming { get; set; }

        /// <summary>Its stores could not be opened for the catch-up; its start tries again and reports the error.</summary>
        public bool OpenFailed { get; set; }

        /// <summary>A catch-up round failed or several applied nothing; its start restores from where the stores are.</summary>
        public bool GiveUpWarmUp { get; set; }

        /// <summary>Catch-up rounds in a row that applied nothing while the task was not caught up.</summary>
        public int IdleWarmUpRounds { get; set; }

        public bool Startable => Suspended is not null || OpenFailed || GiveUpWarmUp || Warming is { CaughtUp: true };
    }
}
