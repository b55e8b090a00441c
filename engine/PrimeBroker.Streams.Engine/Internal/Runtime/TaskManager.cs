using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// The tasks of one stream thread: creates and restores them for assigned partitions, finds the task of a partition,
/// closes them on revocation, and keeps the failed ones with their errors; <c>TaskManager.Pending.cs</c> keeps the
/// tasks that are assigned but not running (suspended across a rebalance, or waiting for their restore). Called on the
/// stream thread only, except the snapshots (<see cref="Tasks"/>, <see cref="Failed"/>, <see cref="Lag"/>, health) that
/// other threads read.
/// </summary>
internal sealed partial class TaskManager
{
    private readonly RuntimeTopology _runtime;
    private readonly StreamsConfig _config;
    private readonly EngineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TaskId, StreamTask> _tasks = new();
    private readonly ConcurrentDictionary<TaskId, Exception> _failed = new();
    private readonly Dictionary<TopicPartition, StreamTask> _byPartition = new();
    private readonly TaskProgressMonitor _progress;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<TaskId, long> _restoring = new();
    private readonly ConcurrentDictionary<TaskId, ParkedTask> _parked = new();
    private readonly ConcurrentDictionary<TaskId, int> _retrying = new();
    private readonly ConcurrentDictionary<TaskId, RestoreProgress> _restores = new();

    public TaskManager(RuntimeTopology runtime, StreamsConfig config, EngineMetrics metrics, ILogger logger)
    {
        _runtime = runtime;
        _config = config;
        _metrics = metrics;
        _logger = logger;
        _time = config.TimeProvider;
        _progress = new TaskProgressMonitor(_time);
    }

    /// <summary>Called before a task's stores are opened for an active task: closes this instance's standby of the task
    /// (<see cref="StandbyTasks.Release"/>), which holds the same stores.</summary>
    public Action<TaskId>? BeforeTaskOpens { get; set; }

    /// <summary>Whether this thread holds the task in any state: running, queued or restoring, suspended, parked for a
    /// retry or failed. Any thread (standby placement asks).</summary>
    public bool Holds(TaskId id) =>
        _tasks.ContainsKey(id) || _restoring.ContainsKey(id) || _suspended.ContainsKey(id) || _parked.ContainsKey(id) || _failed.ContainsKey(id);

    /// <summary>Running tasks (a snapshot; a task may close right after).</summary>
    public IReadOnlyCollection<StreamTask> Tasks => _tasks.Values.ToList();

    public bool IsEmpty => _tasks.IsEmpty;

    /// <summary>Whether some running task has uncommitted work (no allocation: asked on every loop of the thread).</summary>
    public bool AnyNeedsCommit
    {
        get
        {
            foreach (var (_, task) in _tasks)
            {
                if (task.NeedsCommit)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Tasks stopped on a permanent error, with the error. They stay stopped until their partitions move.</summary>
    public IReadOnlyDictionary<TaskId, Exception> Failed => _failed;

    /// <summary>Whether a task fails for good on <paramref name="error"/>, or may succeed when tried again: Kafka errors
    /// that are not fatal and timeouts are transient; a handler's decision to fail, lost input, a truncated or
    /// inconsistent changelog are permanent.</summary>
    public static bool IsTransient(Exception error) => error is KafkaException { Error.IsFatal: false } or TimeoutException;

    /// <summary>Input partitions of the running tasks.</summary>
    public IReadOnlyCollection<TopicPartition> OwnedPartitions => _byPartition.Keys;

    public bool TryGetTask(TopicPartition partition, out StreamTask task) => _byPartition.TryGetValue(partition, out task!);

    public IEnumerable<Measurement<long>> Lag() => _progress.Lag();

    /// <summary>Refreshes the progress watchdog's view of the running tasks (see <see cref="TaskProgressMonitor.Update"/>).</summary>
    public void UpdateProgress(IConsumer<byte[], byte[]> consumer, TimeSpan stallTimeout) => _progress.Update(_tasks.Values, consumer, stallTimeout);

    /// <summary>
    /// Creates and restores the tasks of newly assigned <paramref name="partitions"/> and returns the position of each
    /// partition. A task that cannot start is recorded as failed; its partitions get <see cref="Offset.End"/> and are
    /// listed in <paramref name="toPause"/> (they can only be paused once the assignment is in place); it is parked for
    /// a retry when the error is transient (<see cref="IsTransient"/>). The partitions of tasks that started are listed
    /// in <paramref name="toResume"/>: librdkafka keeps an application's pause across a re-assignment. A task in
    /// <paramref name="opened"/> (opened and caught up with its changelogs by <see cref="WarmUpPending"/>) is used as it
    /// is, and its restore reads only the tail.
    /// </summary>
    public List<TopicPartitionOffset> Assign(IReadOnlyCollection<TopicPartition> partitions, IConsumer<byte[], byte[]> consumer, IChangelogReader reader,
        TaskEnvironment env, List<TopicPartition> toPause, List<TopicPartition> toResume, IReadOnlyDictionary<TaskId, StreamTask>? opened = null)
    {
        var result = new List<TopicPartitionOffset>();
        foreach (var group in partitions.GroupBy(tp => new TaskId(_runtime.SubTopologyByTopic[tp.Topic].Id, tp.Partition.Value)))
        {
            var sub = _runtime.SubTopologyByTopic[group.First().Topic];
            StreamTask? task = null;
            _restoring[group.Key] = _time.TickMilliseconds();
            try
            {
                if (opened?.GetValueOrDefault(group.Key) is { } warm)
                {
                    task = warm;
                }
                else
                {
                    BeforeTaskOpens?.Invoke(group.Key);
                    task = TrackRestore(new StreamTask(group.Key, sub, _runtime.Topology, env));
                }

                if (_config.TaskStartFault?.Invoke(group.Key) is { } fault)
                {
                    throw fault;
                }

                var restored = task.Restore(reader);
                task.RestoreProgress?.Complete();
                var unknown = group.Where(tp => !restored.ContainsKey(tp)).ToList();
                var committed = unknown.Count == 0 ? [] : consumer.Committed(unknown, _config.RequestTimeout);
                foreach (var tp in group)
                {
                    var position = restored.TryGetValue(tp, out var r) ? r : StartPosition(consumer, tp, committed.FirstOrDefault(c => c.TopicPartition == tp)?.Offset);
                    task.SetStartPosition(tp, position);
                    result.Add(new TopicPartitionOffset(tp, position));
                    _byPartition[tp] = task;
                }

                _metrics.RecordRestored(task.RestoredRecords, task.SkippedUncommittedRecords);
                _metrics.RecordTaskRestore(task.Id);
                _logger.Restored(task.Id.ToString(), task.RestoredRecords, task.Committed.CommitSequence, string.Join(", ", task.NextOffsets.Select(e => $"{e.Key.Topic}[{e.Key.Partition.Value}]@{e.Value}")));
                task.Initialize();
                _tasks[task.Id] = task;
                _progress.Start(task.Id);
                _failed.TryRemove(task.Id, out _);
                _parked.TryRemove(task.Id, out _);
                _retrying.TryRemove(task.Id, out _);
                toResume.AddRange(group);
            }
            catch (Exception ex) when (ex is ChangelogTruncatedException or KafkaException or TimeoutException or InvalidOperationException)
            {
                // The task cannot run here; its partitions stay assigned but paused: parked for a retry, or failed.
                task?.Dispose();
                Stop(group.Key, group.ToList(), ex);
                foreach (var tp in group)
                {
                    _byPartition.Remove(tp);
                    result.Add(new TopicPartitionOffset(tp, Offset.End));
                }

                toPause.AddRange(group);
            }
            finally
            {
                _restoring.TryRemove(group.Key, out _);
            }
        }

        return result;
    }

    /// <summary>Stops a running task on <paramref name="error"/>: it leaves the running set and is parked for a retry
    /// or reported as failed. The caller pauses its partitions and rolls back the transaction before closing it.</summary>
    public void MarkFailed(StreamTask task, Exception error)
    {
        Stop(task.Id, task.InputPartitions, error);
        _tasks.TryRemove(task.Id, out _);
        _progress.Forget(task.Id, []);
        foreach (var tp in task.InputPartitions)
        {
            _byPartition.Remove(tp);
        }
    }

    /// <summary>Forgets the failed and parked tasks whose partitions were revoked (the next owner tries again).</summary>
    public void ForgetFailures(IEnumerable<TopicPartition> revoked)
    {
        foreach (var tp in revoked)
        {
            var id = new TaskId(_runtime.SubTopologyByTopic[tp.Topic].Id, tp.Partition.Value);
            _failed.TryRemove(id, out _);
            _parked.TryRemove(id, out _);
        }
    }

    /// <summary>Parked tasks whose backoff has passed, with their partitions; each leaves the parked set (an
    /// <see cref="Assign"/> that fails again parks it with a longer backoff).</summary>
    public List<IReadOnlyList<TopicPartition>> TakeDueForRetry()
    {
        var now = _time.TickMilliseconds();
        var due = new List<IReadOnlyList<TopicPartition>>();
        foreach (var (id, parked) in _parked)
        {
            if (parked.RetryAtTick <= now)
            {
                _retrying[id] = parked.Attempts;
                _parked.TryRemove(id, out _);
                due.Add(parked.Partitions);
            }
        }

        return due;
    }

    /// <summary>Closes the running tasks that read any of <paramref name="partitions"/> (when null: every task, the
    /// suspended and pending ones too): <paramref name="clean"/> runs the processors' Close, otherwise only the stores
    /// are released.</summary>
    public void Close(IReadOnlySet<TopicPartition>? partitions, bool clean)
    {
        if (partitions is null)
        {
            DropPending(null);
            CloseSuspended(except: null, clean);
        }

        foreach (var task in _tasks.Values.Where(t => partitions is null || t.InputPartitions.Any(partitions.Contains)).ToList())
        {
            _tasks.TryRemove(task.Id, out _);
            _progress.Forget(task.Id, task.InputPartitions);
            foreach (var tp in task.InputPartitions)
            {
                _byPartition.Remove(tp);
            }

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

    /// <summary>Every task of this thread as the health check sees it; callable from any thread.</summary>
    public IEnumerable<TaskHealth> Health(string thread, TimeSpan stallTimeout, string activity)
    {
        var now = _time.TickMilliseconds();
        foreach (var (id, parked) in _parked)
        {
            var retryIn = TimeSpan.FromMilliseconds(Math.Max(0, parked.RetryAtTick - now));
            yield return new TaskHealth(id, thread, TaskHealthState.Retrying, -1, TimeSpan.FromMilliseconds(now - parked.SinceTick),
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"attempt {parked.Attempts} failed, retry in {retryIn.TotalSeconds:0.0} s: {parked.Error.Message}"));
        }

        foreach (var (id, since) in _restoring)
        {
            yield return new TaskHealth(id, thread, TaskHealthState.Restoring, -1, TimeSpan.FromMilliseconds(now - since), activity)
            {
                RestoreRemaining = _restores.TryGetValue(id, out var restore) && !restore.Finished ? restore.Remaining : -1,
            };
        }

        foreach (var running in _progress.Health(thread, stallTimeout, activity))
        {
            yield return running;
        }

        foreach (var (id, error) in _failed)
        {
            yield return new TaskHealth(id, thread, TaskHealthState.Failed, -1, TimeSpan.Zero, error.Message);
        }
    }

    /// <summary>Per store of every task whose restore runs on this thread: changelog offsets still to read (tags
    /// <c>task</c>, <c>store</c>); exported as <c>kafka.streams.restore_remaining_records</c>. Any thread.</summary>
    public IEnumerable<Measurement<long>> RestoreRemaining()
    {
        foreach (var (id, restore) in _restores)
        {
            if (restore.Finished)
            {
                continue;
            }

            foreach (var (store, remaining) in restore.RemainingByStore)
            {
                yield return new Measurement<long>(remaining, new("task", id.ToString()), new("store", store));
            }
        }
    }

    /// <summary>Gives an active task opened to restore its <see cref="RestoreProgress"/> (kept per task id: a new restore
    /// of the task replaces the last, so the map holds at most one entry per task this thread ever restored).</summary>
    private StreamTask TrackRestore(StreamTask task)
    {
        task.RestoreProgress = new RestoreProgress(task.Id, task.LoggedStores, _config.StateRestoreListener, _logger);
        _restores[task.Id] = task.RestoreProgress;
        return task;
    }

    /// <summary>Parks a task for a retry with exponential backoff (transient error) or records it as failed.</summary>
    private void Stop(TaskId id, IReadOnlyList<TopicPartition> partitions, Exception error)
    {
        _logger.TaskStopped(id.ToString(), error.Message, error);
        _progress.Forget(id, []);
        if (!IsTransient(error))
        {
            _retrying.TryRemove(id, out _);
            _failed[id] = error;
            return;
        }

        var attempts = (_retrying.TryRemove(id, out var previous) ? previous : _parked.TryGetValue(id, out var p) ? p.Attempts : 0) + 1;
        var backoff = Math.Min(_config.TaskRetryBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 20)), MaxRetryBackoff.TotalMilliseconds);
        var now = _time.TickMilliseconds();
        _parked[id] = new ParkedTask(partitions.ToList(), error, attempts, now, now + (long)backoff);
        _logger.TaskParked(id.ToString(), attempts, backoff / 1000, error.Message);
    }

    /// <summary>The longest wait between two attempts to start a parked task.</summary>
    public static TimeSpan MaxRetryBackoff { get; } = TimeSpan.FromSeconds(60);

    private sealed record ParkedTask(IReadOnlyList<TopicPartition> Partitions, Exception Error, int Attempts, long SinceTick, long RetryAtTick);

    private long StartPosition(IConsumer<byte[], byte[]> consumer, TopicPartition tp, Offset? committed)
    {
        if (committed is { } c && c.Value >= 0)
        {
            return c.Value;
        }

        var watermarks = consumer.QueryWatermarkOffsets(tp, _config.RequestTimeout);
        return _runtime.ResetPolicyByTopic.GetValueOrDefault(tp.Topic) == OffsetResetPolicy.Latest ? watermarks.High.Value : watermarks.Low.Value;
    }
}
