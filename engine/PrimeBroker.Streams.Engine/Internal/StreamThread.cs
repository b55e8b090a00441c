using PrimeBroker.Streams.Engine.Errors;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State.Internal;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// One group member: a consumer, a transactional producer and the tasks of the partitions it was assigned. Runs its loop
/// on a dedicated thread; tasks are touched only there (rebalance callbacks run inside Consume, on the same thread).
/// </summary>
/// <remarks>
/// Loop: consume up to <see cref="StreamsConfig.MaxRecordsPerPoll"/> records into their tasks, run due wall-clock
/// punctuators, and commit every <see cref="StreamsConfig.CommitInterval"/> through <see cref="TaskCommitter"/>. A failed
/// commit aborts the transaction and rolls every task back to its last commit (positions re-sought), so the next
/// attempt reprocesses exactly the uncommitted records. On revocation the thread commits, then closes the tasks; on
/// assignment it restores the new tasks before returning their start positions to the consumer.
/// </remarks>
internal sealed class StreamThread : IDisposable
{
    private readonly RuntimeTopology _runtime;
    private readonly StreamsConfig _config;
    private readonly string _name;
    private readonly string _transactionalId;
    private readonly Func<IRecordCollector, TaskEnvironment> _environment;
    private readonly EngineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<StreamThread, Exception> _onFatal;
    private readonly ConcurrentDictionary<TaskId, StreamTask> _tasks = new();
    private readonly ConcurrentDictionary<TaskId, Exception> _failed = new();
    private readonly Dictionary<TopicPartition, StreamTask> _byPartition = new();
    private readonly ConcurrentDictionary<TopicPartition, long> _lag = new();
    private readonly Thread _thread;
    private readonly InstanceDirectory? _directory;
    private readonly string _member;
    private readonly List<TopicPartition> _pauseAfterAssign = new();
    private volatile bool _stopRequested;
    private IConsumer<byte[], byte[]> _consumer = null!;
    private KafkaTransaction _transaction = null!;
    private KafkaChangelogReader _changelogReader = null!;
    private long _lastCommit;

    public StreamThread(int index, RuntimeTopology runtime, StreamsConfig config, string processId, IReadOnlyDictionary<string, IBytesStore> globalStores,
        EngineMetrics metrics, ILoggerFactory loggerFactory, Action<StreamThread, Exception> onFatal, InstanceDirectory? directory = null)
    {
        _runtime = runtime;
        _config = config;
        _name = $"{config.ApplicationId}-StreamThread-{index}";
        _transactionalId = $"{config.ApplicationId}-{processId}-{index}";
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger<StreamThread>();
        _onFatal = onFatal;
        _directory = directory;
        _member = $"{processId}-{index}";
        var deserializationHandler = config.DeserializationExceptionHandler ?? new Errors.DeadLetterExceptionHandler(config.DeadLetterTopic);
        _environment = collector => new TaskEnvironment
        {
            ApplicationId = config.ApplicationId,
            StateDirectory = Path.Combine(config.StateDirectory, config.ApplicationId),
            Collector = collector,
            Clock = () => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            DeserializationHandler = deserializationHandler,
            ProcessingHandler = config.ProcessingExceptionHandler,
            ProductionHandler = config.ProductionExceptionHandler,
            GlobalStores = globalStores,
            Metrics = metrics,
        };
        _thread = new Thread(Run) { IsBackground = true, Name = _name };
    }

    public string Name => _name;

    /// <summary>Running tasks, for interactive queries (a snapshot; a task may close right after).</summary>
    public IReadOnlyCollection<StreamTask> Tasks => _tasks.Values.ToList();

    /// <summary>Tasks stopped on an error, with the error.</summary>
    public IReadOnlyDictionary<TaskId, Exception> FailedTasks => _failed;

    /// <summary>Whether the thread currently holds an assignment and all its tasks are restored.</summary>
    public bool IsRunning { get; private set; }

    public IEnumerable<Measurement<long>> Lag() =>
        _lag.Select(e => new Measurement<long>(e.Value, new("topic", e.Key.Topic), new("partition", e.Key.Partition.Value)));

    public void Start() => _thread.Start();

    public void RequestStop() => _stopRequested = true;

    public bool Join(TimeSpan timeout) => !_thread.IsAlive || _thread.Join(timeout);

    public void Dispose()
    {
        RequestStop();
        Join(_config.RequestTimeout);
    }

    private void Run()
    {
        try
        {
            _consumer = BuildConsumer();
            _changelogReader = new KafkaChangelogReader(BuildRestoreConsumer(), _config.RequestTimeout);
            _transaction = new KafkaTransaction(BuildProducer, _consumer, _config.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2, _config.RequestTimeout, _metrics);
            _consumer.Subscribe(_runtime.SourceTopics);
            _lastCommit = Environment.TickCount64;
            while (!_stopRequested)
            {
                PollAndProcess();
                var now = Environment.TickCount64;
                Punctuate();
                if (now - _lastCommit >= (long)_config.CommitInterval.TotalMilliseconds)
                {
                    CommitAll();
                    UpdateLag();
                    _lastCommit = now;
                }
            }

            CommitAll();
            CloseTasks(_tasks.Values.ToList(), clean: true);
            _consumer.Close();
        }
        catch (Exception ex)
        {
            _logger.ThreadFailed(_name, ex);
            CloseTasks(_tasks.Values.ToList(), clean: false);
            _onFatal(this, ex);
        }
        finally
        {
            IsRunning = false;
            _transaction?.Dispose();
            _changelogReader?.Dispose();
            _consumer?.Dispose();
        }
    }

    private void PollAndProcess()
    {
        if (_pauseAfterAssign.Count > 0)
        {
            // Tasks that failed while being assigned: their partitions can only be paused once the assignment is in place.
            _consumer.Pause(_pauseAfterAssign);
            _pauseAfterAssign.Clear();
        }

        var remaining = (long)_config.CommitInterval.TotalMilliseconds - (Environment.TickCount64 - _lastCommit);
        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(remaining, 0, 100));
        for (var processed = 0; processed < _config.MaxRecordsPerPoll; processed++)
        {
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = _consumer.Consume(processed == 0 ? timeout : TimeSpan.Zero);
            }
            catch (ConsumeException ex) when (ex.Error.Code is ErrorCode.Local_AutoOffsetReset or ErrorCode.OffsetOutOfRange)
            {
                HandleOutOfRange(ex);
                return;
            }

            if (result is null)
            {
                return;
            }

            if (result.IsPartitionEOF || !_byPartition.TryGetValue(result.TopicPartition, out var task))
            {
                continue;
            }

            try
            {
                task.Process(result);
            }
            catch (TaskFailedException ex)
            {
                FailTask(task, ex);
                return;
            }
            catch (KafkaException ex)
            {
                AbortAndRollback(ex);
                return;
            }
        }
    }

    private void Punctuate()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var task in _tasks.Values)
        {
            try
            {
                task.PunctuateWallClock(now);
            }
            catch (TaskFailedException ex)
            {
                FailTask(task, ex);
            }
            catch (KafkaException ex)
            {
                AbortAndRollback(ex);
            }
        }
    }

    private void CommitAll()
    {
        if (_tasks.IsEmpty)
        {
            return;
        }

        var tasks = _tasks.Values.ToList();
        var stateless = tasks.Where(t => t.LoggedStores.Count == 0 && t.NeedsCommit).ToList();
        try
        {
            TaskCommitter.Commit(tasks, _transaction, _metrics);
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException)
        {
            AbortAndRollback(ex);
            return;
        }

        CommitStatelessPositions(stateless);
    }

    /// <summary>
    /// Tasks without a changelog have no commit marker to carry their position. The transaction committed their offsets
    /// already; a plain commit of the same offsets changes nothing on a real cluster, and gives them a position on a
    /// cluster that drops transactional offset commits (the embedded mock), so a restart does not replay their input
    /// from the reset policy. Best effort: a failure only widens what a restart may repeat (their outputs).
    /// </summary>
    private void CommitStatelessPositions(IReadOnlyList<StreamTask> tasks)
    {
        if (tasks.Count == 0 || _config.ProcessingGuarantee != ProcessingGuarantee.ExactlyOnceV2)
        {
            return;
        }

        try
        {
            _consumer.Commit(tasks.SelectMany(t => t.Committed.InputOffsets).Select(e => new TopicPartitionOffset(e.Key, e.Value)));
        }
        catch (KafkaException ex)
        {
            _logger.ClientLog(_name, "plain offset commit of stateless tasks failed: " + ex.Message);
        }
    }

    /// <summary>Aborts the transaction and rolls every task back to its last commit; a fenced or fatal producer is replaced.</summary>
    private void AbortAndRollback(Exception cause)
    {
        var fatal = cause is KafkaException { Error.IsFatal: true } or KafkaException { Error.Code: ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch };
        if (!fatal)
        {
            try
            {
                _transaction.Abort();
            }
            catch (KafkaException)
            {
                fatal = true;
            }
        }

        if (fatal)
        {
            _logger.ProducerRecreated(_name, cause.Message);
            _transaction.RecreateProducer();
        }

        _logger.Aborted(_name, cause.Message, _tasks.Count);
        _metrics.RecordAbort();
        var positions = new List<TopicPartitionOffset>();
        foreach (var task in _tasks.Values)
        {
            positions.AddRange(task.Rollback().Where(e => _byPartition.ContainsKey(e.Key)).Select(e => new TopicPartitionOffset(e.Key, e.Value)));
        }

        SeekAll(positions);
    }

    /// <summary>Moves fetch positions. A partition in an error state refuses a seek (Local_State); re-assigning the
    /// whole assignment with explicit positions resets every fetcher instead.</summary>
    private void SeekAll(IReadOnlyCollection<TopicPartitionOffset> positions)
    {
        try
        {
            foreach (var position in positions)
            {
                _consumer.Seek(position);
            }
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
        {
            var wanted = positions.ToDictionary(p => p.TopicPartition, p => p.Offset);
            var assignment = _consumer.Assignment.Select(tp => new TopicPartitionOffset(tp,
                wanted.TryGetValue(tp, out var o) ? o : _byPartition.TryGetValue(tp, out var t) && t.NextOffsets.TryGetValue(tp, out var n) ? n : Offset.Stored)).ToList();
            var paused = _consumer.Assignment.Where(tp => !_byPartition.ContainsKey(tp)).ToList();
            _consumer.Assign(assignment);
            if (paused.Count > 0)
            {
                _consumer.Pause(paused);
            }
        }
    }

    private void FailTask(StreamTask task, Exception error)
    {
        _logger.TaskStopped(task.Id.ToString(), error.Message, error);
        _failed[task.Id] = error;
        _tasks.TryRemove(task.Id, out _);
        foreach (var tp in task.InputPartitions)
        {
            _byPartition.Remove(tp);
        }

        _consumer.Pause(task.InputPartitions);
        AbortAndRollback(error);
        task.Close();
    }

    private void HandleOutOfRange(ConsumeException ex)
    {
        var tp = ex.ConsumerRecord?.TopicPartition;
        if (tp is null || !_byPartition.TryGetValue(tp, out var task))
        {
            throw new KafkaException(ex.Error);
        }

        _metrics.RecordInputLost(tp.Topic, tp.Partition.Value);
        var policy = _runtime.ResetPolicyByTopic.GetValueOrDefault(tp.Topic);
        if (policy == OffsetResetPolicy.EarliestThenFail)
        {
            _logger.InputOutOfRange(tp.Topic, tp.Partition.Value);
            FailTask(task, new InputOffsetOutOfRangeException(tp.Topic, tp.Partition.Value, task.NextOffsets.GetValueOrDefault(tp, -1)));
            return;
        }

        _logger.InputReset(tp.Topic, tp.Partition.Value, policy.ToString());
        var watermarks = _consumer.QueryWatermarkOffsets(tp, _config.RequestTimeout);
        var position = policy == OffsetResetPolicy.Earliest ? watermarks.Low.Value : watermarks.High.Value;
        task.ResetPosition(tp, position);
        SeekAll([new TopicPartitionOffset(tp, position)]);
    }

    private IEnumerable<TopicPartitionOffset> OnAssigned(List<TopicPartition> partitions)
    {
        _logger.Assigned(_name, string.Join(", ", partitions));
        var env = _environment(_transaction);
        var result = new List<TopicPartitionOffset>();
        var byTask = partitions.GroupBy(tp => new TaskId(_runtime.SubTopologyByTopic[tp.Topic].Id, tp.Partition.Value));
        foreach (var group in byTask)
        {
            var sub = _runtime.SubTopologyByTopic[group.First().Topic];
            StreamTask? task = null;
            try
            {
                task = new StreamTask(group.Key, sub, _runtime.Topology, env);
                var restored = task.Restore(_changelogReader);
                var unknown = group.Where(tp => !restored.ContainsKey(tp)).ToList();
                var committed = unknown.Count == 0 ? [] : _consumer.Committed(unknown, _config.RequestTimeout);
                foreach (var tp in group)
                {
                    var position = restored.TryGetValue(tp, out var r) ? r : StartPosition(tp, committed.FirstOrDefault(c => c.TopicPartition == tp)?.Offset);
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

                _pauseAfterAssign.AddRange(group);
            }
        }

        IsRunning = true;
        _directory?.Announce(_member, _byPartition.Keys);
        return result;
    }

    private long StartPosition(TopicPartition tp, Offset? committed)
    {
        if (committed is { } c && c.Value >= 0)
        {
            return c.Value;
        }

        var watermarks = _consumer.QueryWatermarkOffsets(tp, _config.RequestTimeout);
        return _runtime.ResetPolicyByTopic.GetValueOrDefault(tp.Topic) == OffsetResetPolicy.Latest ? watermarks.High.Value : watermarks.Low.Value;
    }

    private void OnRevoked(List<TopicPartitionOffset> partitions)
    {
        _logger.Revoked(_name, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        IsRunning = false;
        CommitAll();
        var revoked = partitions.Select(p => p.TopicPartition).ToHashSet();
        CloseTasks(_tasks.Values.Where(t => t.InputPartitions.Any(revoked.Contains)).ToList(), clean: true);
        foreach (var tp in revoked)
        {
            _failed.TryRemove(new TaskId(_runtime.SubTopologyByTopic[tp.Topic].Id, tp.Partition.Value), out _);
        }

        _directory?.Announce(_member, _byPartition.Keys);
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        _logger.Lost(_name, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        IsRunning = false;
        try
        {
            _transaction.Abort();
        }
        catch (KafkaException)
        {
            _transaction.RecreateProducer();
        }

        var lost = partitions.Select(p => p.TopicPartition).ToHashSet();
        CloseTasks(_tasks.Values.Where(t => t.InputPartitions.Any(lost.Contains)).ToList(), clean: false);
        _directory?.Announce(_member, _byPartition.Keys);
    }

    private void CloseTasks(IReadOnlyList<StreamTask> tasks, bool clean)
    {
        foreach (var task in tasks)
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

    private void UpdateLag()
    {
        foreach (var tp in _byPartition.Keys)
        {
            var watermarks = _consumer.GetWatermarkOffsets(tp);
            var position = _byPartition[tp].NextOffsets.GetValueOrDefault(tp, -1);
            if (watermarks.High.Value >= 0 && position >= 0)
            {
                _lag[tp] = Math.Max(0, watermarks.High.Value - position);
            }
        }
    }

    private IConsumer<byte[], byte[]> BuildConsumer()
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(_config.ClientConfig))
        {
            BootstrapServers = _config.BootstrapServers,
            GroupId = _config.ApplicationId,
            ClientId = $"{_name}-consumer",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // A position that fell off the log is an error, never a silent reset (see HandleOutOfRange).
            AutoOffsetReset = AutoOffsetReset.Error,
            IsolationLevel = _config.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2 ? IsolationLevel.ReadCommitted : IsolationLevel.ReadUncommitted,
            // Range keeps co-partitioned topics' partition p on one member, so one task owns them.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            SessionTimeoutMs = (int)_config.SessionTimeout.TotalMilliseconds,
            HeartbeatIntervalMs = (int)_config.HeartbeatInterval.TotalMilliseconds,
            FetchMaxBytes = 50 * 1024 * 1024,
            MaxPartitionFetchBytes = 10 * 1024 * 1024,
            QueuedMinMessages = 100_000,
        };
        return new ConsumerBuilder<byte[], byte[]>(config)
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .SetLogHandler((_, m) => _logger.ClientLog(m.Name, m.Message))
            .SetErrorHandler((_, e) => _logger.ClientLog(_name, e.ToString()))
            .Build();
    }

    private IConsumer<byte[], byte[]> BuildRestoreConsumer()
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(_config.ClientConfig))
        {
            BootstrapServers = _config.BootstrapServers,
            GroupId = _config.ApplicationId + "-restore",
            ClientId = $"{_name}-restore-consumer",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            FetchMaxBytes = 50 * 1024 * 1024,
            MaxPartitionFetchBytes = 10 * 1024 * 1024,
        };
        return new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, m) => _logger.ClientLog(m.Name, m.Message)).Build();
    }

    private IProducer<byte[], byte[]> BuildProducer()
    {
        var config = new ProducerConfig(new Dictionary<string, string>(_config.ClientConfig))
        {
            BootstrapServers = _config.BootstrapServers,
            ClientId = $"{_name}-producer",
            EnableIdempotence = true,
            LingerMs = 5,
            // Null-keyed records only; keyed ones get their partition from Partitioning (Java murmur2).
            Partitioner = Confluent.Kafka.Partitioner.Murmur2Random,
            QueueBufferingMaxMessages = 1_000_000,
        };
        if (_config.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2)
        {
            config.TransactionalId = _transactionalId;
            config.TransactionTimeoutMs = (int)_config.TransactionTimeout.TotalMilliseconds;
        }

        return new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, m) => _logger.ClientLog(m.Name, m.Message)).Build();
    }
}
