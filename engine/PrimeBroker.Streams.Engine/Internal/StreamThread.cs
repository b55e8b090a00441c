using PrimeBroker.Streams.Engine.Errors;
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
    private readonly KafkaClients _clients;
    private readonly TaskManager _tasks;
    private readonly Thread _thread;
    private readonly InstanceDirectory? _directory;
    private readonly string _member;
    private readonly List<TopicPartition> _pauseAfterAssign = new();
    private readonly List<TopicPartition> _resumeAfterAssign = new();
    private readonly ThreadActivity _activity = new();
    private readonly Dictionary<(TaskId, TopicPartition, long), int> _abortsByRecord = new();
    private int _fencedWithoutCommit;
    private bool _inRebalance;
    private volatile bool _stopRequested;
    private IConsumer<byte[], byte[]> _consumer = null!;
    private KafkaTransaction _transaction = null!;
    private KafkaChangelogReader _changelogReader = null!;
    private long _lastCommit;

    public StreamThread(int index, RuntimeTopology runtime, StreamsConfig config, KafkaClients clients, string processId, IReadOnlyDictionary<string, IBytesStore> globalStores,
        EngineMetrics metrics, ILoggerFactory loggerFactory, Action<StreamThread, Exception> onFatal, InstanceDirectory? directory = null)
    {
        _runtime = runtime;
        _config = config;
        _name = $"{config.ApplicationId}-StreamThread-{index}";
        _transactionalId = $"{config.ApplicationId}-{processId}-{index}";
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger<StreamThread>();
        _onFatal = onFatal;
        _clients = clients;
        _tasks = new TaskManager(runtime, config, metrics, _logger);
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
    public IReadOnlyCollection<StreamTask> Tasks => _tasks.Tasks;

    /// <summary>Tasks stopped on an error, with the error.</summary>
    public IReadOnlyDictionary<TaskId, Exception> FailedTasks => _tasks.Failed;

    /// <summary>Whether the thread currently holds an assignment and all its tasks are restored.</summary>
    public bool IsRunning { get; private set; }

    public IEnumerable<Measurement<long>> Lag() => _tasks.Lag();

    /// <summary>What the thread is doing now and for how long, and how long since its loop last went round.</summary>
    public ThreadActivity Activity => _activity;

    /// <summary>The health of every task of this thread; callable from any thread.</summary>
    public IReadOnlyList<TaskHealth> Health()
    {
        var (what, time) = _activity.Current;
        var activity = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"'{what}' for {time.TotalSeconds:0.0} s, loop {_activity.SinceLoop.TotalSeconds:0.0} s ago, {_transaction?.PendingCallbacks ?? 0} delivery callbacks pending, in transaction {_transaction?.InTransaction ?? false}");
        return _tasks.Health(_name, _config.StallTimeout, activity).ToList();
    }

    /// <summary>Whether the thread ran and ended (stopped or died).</summary>
    public bool Stopped => _thread.ThreadState.HasFlag(ThreadState.Stopped);

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
            _consumer = _clients.StreamConsumer(_name, OnAssigned, OnRevoked, OnLost);
            _changelogReader = new KafkaChangelogReader(_clients.RestoreConsumer(_name), _config.RequestTimeout, _config.TransactionTimeout, _config.ReadCommittedHidesUncommitted);
            _transaction = new KafkaTransaction(() => _clients.StreamProducer(_name, _transactionalId), _consumer, _config.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2, _config.RequestTimeout, _metrics)
            {
                Activity = _activity,
            };
            _consumer.Subscribe(_runtime.SourceTopics);
            _lastCommit = Environment.TickCount64;
            while (!_stopRequested)
            {
                _activity.Loop();
                RetryParkedTasks();
                PollAndProcess();
                var now = Environment.TickCount64;
                Punctuate();
                if (now - _lastCommit >= (long)_config.CommitInterval.TotalMilliseconds)
                {
                    CommitAll();
                    _activity.Set("watermarks");
                    _tasks.UpdateProgress(_consumer, _config.StallTimeout);
                    _lastCommit = now;
                }
            }

            CommitAll();
            _tasks.Close(null, clean: true);
            _consumer.Close();
        }
        catch (Exception ex)
        {
            _logger.ThreadFailed(_name, ex);
            _tasks.Close(null, clean: false);
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

        if (_resumeAfterAssign.Count > 0)
        {
            // librdkafka keeps an application pause across a re-assignment: a task that runs again must be resumed.
            var assigned = _consumer.Assignment.ToHashSet();
            _consumer.Resume(_resumeAfterAssign.Where(assigned.Contains).ToList());
            _resumeAfterAssign.Clear();
        }

        var remaining = (long)_config.CommitInterval.TotalMilliseconds - (Environment.TickCount64 - _lastCommit);
        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(remaining, 0, 100));
        for (var processed = 0; processed < _config.MaxRecordsPerPoll; processed++)
        {
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                _activity.Set("consume");
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

            if (result.IsPartitionEOF || !_tasks.TryGetTask(result.TopicPartition, out var task))
            {
                continue;
            }

            try
            {
                _activity.Set("process");
                task.Process(result);
            }
            catch (TaskFailedException ex)
            {
                FailTask(task, ex);
                return;
            }
            catch (KafkaException ex) when (ex is not IndefiniteTransactionException && !ex.Error.IsFatal
                                            && RepeatedAborts(task, result.TopicPartitionOffset) >= MaxAbortsPerRecord)
            {
                // The same record failed the transaction every time it was processed: a deterministic error (an
                // output or dead-letter topic that does not exist, a record too large). Replaying it would livelock
                // the whole thread, so its task stops with the reason.
                FailTask(task, new TaskFailedException(task.Id,
                    $"record {result.TopicPartitionOffset} aborted the transaction {MaxAbortsPerRecord} times with '{ex.Error.Reason}' ({ex.Error.Code})", ex));
                return;
            }
            catch (KafkaException ex)
            {
                AbortAndRollback(ex);
                return;
            }
        }
    }

    /// <summary>How often one record may abort the transaction before its task stops (see <see cref="RepeatedAborts"/>).</summary>
    internal const int MaxAbortsPerRecord = 3;

    /// <summary>Counts an abort caused while processing <paramref name="position"/>; returns how many it caused since it
    /// was first seen (the count is dropped once the record is committed).</summary>
    private int RepeatedAborts(StreamTask task, TopicPartitionOffset position)
    {
        var key = (task.Id, position.TopicPartition, position.Offset.Value);
        var count = _abortsByRecord.GetValueOrDefault(key) + 1;
        _abortsByRecord[key] = count;
        return count;
    }

    private void Punctuate()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var task in _tasks.Tasks)
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

        _activity.Set("commit");
        var tasks = _tasks.Tasks;
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

        _fencedWithoutCommit = 0;
        foreach (var (id, tp, offset) in _abortsByRecord.Keys.ToList())
        {
            // A record that is committed now is past; one that still is not keeps its count (other tasks' commits do not
            // make a deterministic error go away).
            if (!_tasks.TryGetTask(tp, out var task) || task.Id != id || task.CommittedPosition(tp) > offset)
            {
                _abortsByRecord.Remove((id, tp, offset));
            }
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
        if (cause is IndefiniteTransactionException)
        {
            // The transaction may have committed, or the producer is stuck in a call: neither memory nor an abort can be
            // trusted. A new producer (its epoch bump fences the old one's transaction) and tasks restored from the log.
            _logger.ProducerRecreated(_name, cause.Message);
            _metrics.RecordAbort();
            _transaction.RecreateProducer();
            ReinitializeTasks(cause.Message);
            return;
        }

        if (cause is KafkaException { Error.Code: ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.IllegalGeneration
            or ErrorCode.UnknownMemberId or ErrorCode.FencedInstanceId })
        {
            HandleFenced((KafkaException)cause);
            return;
        }

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

        var tasks = _tasks.Tasks;
        _logger.Aborted(_name, cause.Message, tasks.Count);
        _metrics.RecordAbort();
        var positions = new List<TopicPartitionOffset>();
        foreach (var task in tasks)
        {
            positions.AddRange(task.Rollback().Where(e => _tasks.TryGetTask(e.Key, out _)).Select(e => new TopicPartitionOffset(e.Key, e.Value)));
        }

        SeekAll(positions);
    }

    /// <summary>
    /// Fenced means "my tasks moved": another member owns them now (or a newer producer took this transactional id).
    /// The thread closes every task dirty (nothing of the open transaction is kept), takes a new producer and rejoins the
    /// group, which hands it whatever it owns now, restored from the log. Fenced again and again without a commit in
    /// between means another process uses this thread's transactional id (a copied state directory): the thread stops
    /// with that reason instead of fencing it back forever.
    /// </summary>
    private void HandleFenced(KafkaException cause)
    {
        if (cause.Error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch && ++_fencedWithoutCommit >= MaxFencedWithoutCommit)
        {
            throw new InvalidOperationException(
                $"Thread {_name} was fenced {_fencedWithoutCommit} times without a commit in between: another process uses its transactional id " +
                $"'{_transactionalId}' (a copy of this instance's state directory?). Stopping instead of fencing it back.", cause);
        }

        _logger.Fenced(_name, cause.Message, _tasks.Tasks.Count);
        _metrics.RecordAbort();
        try
        {
            _transaction.Abort();
        }
        catch (KafkaException)
        {
            // A fenced producer refuses to abort; its transaction is dead anyway.
        }

        _transaction.RecreateProducer();
        _tasks.Close(null, clean: false);
        if (!_inRebalance)
        {
            _consumer.Unsubscribe();
            _consumer.Subscribe(_runtime.SourceTopics);
        }
    }

    /// <summary>Producer fencings in a row, without a commit, after which a thread stops (see <see cref="HandleFenced"/>).</summary>
    internal const int MaxFencedWithoutCommit = 3;

    /// <summary>
    /// Closes every running task dirty and creates it again from its changelog (and the group's offsets for tasks without
    /// one), as a new owner would: the state and positions are then whatever the log says was committed.
    /// </summary>
    private void ReinitializeTasks(string reason)
    {
        var tasks = _tasks.Tasks;
        _logger.TasksReinitialized(_name, tasks.Count, reason);
        var partitions = tasks.SelectMany(t => t.InputPartitions).ToList();
        _tasks.Close(null, clean: false);
        var positions = _tasks.Assign(partitions, _consumer, _changelogReader, _environment(_transaction), _pauseAfterAssign, _resumeAfterAssign);
        SeekAll(positions.Where(p => p.Offset != Offset.End).ToList());
    }

    /// <summary>Starts again the parked tasks whose backoff passed, on the partitions still assigned here.</summary>
    private void RetryParkedTasks()
    {
        var due = _tasks.TakeDueForRetry();
        if (due.Count == 0)
        {
            return;
        }

        var assigned = _consumer.Assignment.ToHashSet();
        var partitions = due.SelectMany(p => p).Where(assigned.Contains).ToList();
        _activity.Set("restore");
        var positions = _tasks.Assign(partitions, _consumer, _changelogReader, _environment(_transaction), _pauseAfterAssign, _resumeAfterAssign);
        SeekAll(positions.Where(p => p.Offset != Offset.End).ToList());
        _directory?.Announce(_member, _tasks.OwnedPartitions);
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
                wanted.TryGetValue(tp, out var o) ? o : _tasks.TryGetTask(tp, out var t) && t.NextOffsets.TryGetValue(tp, out var n) ? n : Offset.Stored)).ToList();
            var paused = _consumer.Assignment.Where(tp => !_tasks.TryGetTask(tp, out _)).ToList();
            _consumer.Assign(assignment);
            if (paused.Count > 0)
            {
                _consumer.Pause(paused);
            }
        }
    }

    private void FailTask(StreamTask task, Exception error)
    {
        _tasks.MarkFailed(task, error);
        _consumer.Pause(task.InputPartitions);
        AbortAndRollback(error);
        task.Close();
    }

    private void HandleOutOfRange(ConsumeException ex)
    {
        var tp = ex.ConsumerRecord?.TopicPartition;
        if (tp is null || !_tasks.TryGetTask(tp, out var task))
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
        _activity.Set("restore");
        // Claim the partitions before restoring them, so routing points here at once (queries get "unavailable, retry"
        // until the restore ends) instead of at the previous owner, which may be dead.
        _directory?.Announce(_member, _tasks.OwnedPartitions.Concat(partitions).Distinct());
        var result = _tasks.Assign(partitions, _consumer, _changelogReader, _environment(_transaction), _pauseAfterAssign, _resumeAfterAssign);
        IsRunning = true;
        _directory?.Announce(_member, _tasks.OwnedPartitions);
        return result;
    }

    private void OnRevoked(List<TopicPartitionOffset> partitions)
    {
        _logger.Revoked(_name, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        IsRunning = false;
        _inRebalance = true;
        try
        {
            CommitAll();
        }
        finally
        {
            _inRebalance = false;
        }

        var revoked = partitions.Select(p => p.TopicPartition).ToHashSet();
        _tasks.Close(revoked, clean: true);
        _tasks.ForgetFailures(revoked);
        _directory?.Announce(_member, _tasks.OwnedPartitions);
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

        _tasks.Close(partitions.Select(p => p.TopicPartition).ToHashSet(), clean: false);
        _directory?.Announce(_member, _tasks.OwnedPartitions);
    }
}
