using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// The tasks of one stream thread: creates and restores them for assigned partitions, finds the task of a partition,
/// closes them on revocation, and keeps the failed ones with their errors. Called on the stream thread only, except the
/// snapshots (<see cref="Tasks"/>, <see cref="Failed"/>, <see cref="Lag"/>) that other threads read.
/// </summary>
internal sealed class TaskManager
{
    private readonly RuntimeTopology _runtime;
    private readonly StreamsConfig _config;
    private readonly EngineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TaskId, StreamTask> _tasks = new();
    private readonly ConcurrentDictionary<TaskId, Exception> _failed = new();
    private readonly Dictionary<TopicPartition, StreamTask> _byPartition = new();
    private readonly ConcurrentDictionary<TopicPartition, long> _lag = new();

    public TaskManager(RuntimeTopology runtime, StreamsConfig config, EngineMetrics metrics, ILogger logger)
    {
        _runtime = runtime;
        _config = config;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Running tasks (a snapshot; a task may close right after).</summary>
    public IReadOnlyCollection<StreamTask> Tasks => _tasks.Values.ToList();

    public bool IsEmpty => _tasks.IsEmpty;

    /// <summary>Tasks stopped on an error, with the error.</summary>
    public IReadOnlyDictionary<TaskId, Exception> Failed => _failed;

    /// <summary>Input partitions of the running tasks.</summary>
    public IReadOnlyCollection<TopicPartition> OwnedPartitions => _byPartition.Keys;

    public bool TryGetTask(TopicPartition partition, out StreamTask task) => _byPartition.TryGetValue(partition, out task!);

    public IEnumerable<Measurement<long>> Lag() =>
        _lag.Select(e => new Measurement<long>(e.Value, new("topic", e.Key.Topic), new("partition", e.Key.Partition.Value)));

    /// <summary>
    /// Creates and restores the tasks of newly assigned <paramref name="partitions"/> and returns the position of each
    /// partition. A task that cannot start is recorded as failed; its partitions get <see cref="Offset.End"/> and are
    /// listed in <paramref name="toPause"/> (they can only be paused once the assignment is in place).
    /// </summary>
    public List<TopicPartitionOffset> Assign(IReadOnlyCollection<TopicPartition> partitions, IConsumer<byte[], byte[]> consumer, IChangelogReader reader,
        TaskEnvironment env, List<TopicPartition> toPause)
    {
        var result = new List<TopicPartitionOffset>();
        foreach (var group in partitions.GroupBy(tp => new TaskId(_runtime.SubTopologyByTopic[tp.Topic].Id, tp.Partition.Value)))
        {
            var sub = _runtime.SubTopologyByTopic[group.First().Topic];
            StreamTask? task = null;
            try
            {
                task = new StreamTask(group.Key, sub, _runtime.Topology, env);
                var restored = task.Restore(reader);
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
                _logger.Restored(task.Id.ToString(), task.RestoredRecords, task.Committed.CommitSequence, string.Join(", ", task.NextOffsets.Select(e => $"{e.Key.Topic}[{e.Key.Partition.Value}]@{e.Value}")));
                task.Initialize();
                _tasks[task.Id] = task;
                _failed.TryRemove(task.Id, out _);
            }
            catch (Exception ex) when (ex is ChangelogTruncatedException or KafkaException or TimeoutException or InvalidOperationException)
            {
                // The task cannot run here; its partitions stay assigned but paused, and the application reports it.
                _logger.TaskStopped(group.Key.ToString(), ex.Message, ex);
                _failed[group.Key] = ex;
                task?.Dispose();
                foreach (var tp in group)
                {
                    _byPartition.Remove(tp);
                    result.Add(new TopicPartitionOffset(tp, Offset.End));
                }

                toPause.AddRange(group);
            }
        }

        return result;
    }

    /// <summary>Stops a running task on <paramref name="error"/>: it leaves the running set and is reported as failed.
    /// The caller pauses its partitions and rolls back the transaction before closing it.</summary>
    public void MarkFailed(StreamTask task, Exception error)
    {
        _logger.TaskStopped(task.Id.ToString(), error.Message, error);
        _failed[task.Id] = error;
        _tasks.TryRemove(task.Id, out _);
        foreach (var tp in task.InputPartitions)
        {
            _byPartition.Remove(tp);
        }
    }

    /// <summary>Forgets the failures of tasks whose partitions were revoked (the next owner tries again).</summary>
    public void ForgetFailures(IEnumerable<TopicPartition> revoked)
    {
        foreach (var tp in revoked)
        {
            _failed.TryRemove(new TaskId(_runtime.SubTopologyByTopic[tp.Topic].Id, tp.Partition.Value), out _);
        }
    }

    /// <summary>Closes the running tasks that read any of <paramref name="partitions"/> (all tasks when null):
    /// <paramref name="clean"/> runs the processors' Close, otherwise only the stores are released.</summary>
    public void Close(IReadOnlySet<TopicPartition>? partitions, bool clean)
    {
        foreach (var task in _tasks.Values.Where(t => partitions is null || t.InputPartitions.Any(partitions.Contains)).ToList())
        {
            _tasks.TryRemove(task.Id, out _);
            foreach (var tp in task.InputPartitions)
            {
                _byPartition.Remove(tp);
                _lag.TryRemove(tp, out _);
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

    /// <summary>Refreshes the lag gauge from the consumer's cached high watermarks.</summary>
    public void UpdateLag(IConsumer<byte[], byte[]> consumer)
    {
        foreach (var (tp, task) in _byPartition)
        {
            var watermarks = consumer.GetWatermarkOffsets(tp);
            var position = task.NextOffsets.GetValueOrDefault(tp, -1);
            if (watermarks.High.Value >= 0 && position >= 0)
            {
                _lag[tp] = Math.Max(0, watermarks.High.Value - position);
            }
        }
    }

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
