using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// One group member: a consumer, a transactional producer and the tasks of the partitions it was assigned. Runs its loop
/// on a dedicated thread; tasks are touched only there (rebalance callbacks run inside Consume, on the same thread).
/// </summary>
/// <remarks>
/// Loop: consume up to <see cref="StreamsConfig.MaxRecordsPerPoll"/> records into their tasks, run due wall-clock
/// punctuators, and commit when <see cref="CommitPolicy"/> says (input caught up, or <see cref="StreamsConfig.CommitInterval"/>
/// passed) through <see cref="TaskCommitter"/>. A failed
/// commit aborts the transaction and rolls every task back to its last commit (positions re-sought), so the next
/// attempt reprocesses exactly the uncommitted records. Rebalances: <see cref="RebalanceHandler"/> (the callbacks
/// commit, suspend or close, and queue; they never restore); the loop catches queued tasks up and starts them in bounded rounds
/// (<see cref="StartPendingTasks"/>). Transaction failures: <see cref="TransactionRecovery"/>.
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
    private readonly IInstanceDirectory? _directory;
    private readonly StandbyTasks? _standbys;
    private readonly string _member;
    private readonly ThreadActivity _activity;
    private readonly TimeProvider _time;
    private readonly RepeatedAborts _repeatedAborts = new();
    private readonly RebalanceHandler _rebalance;
    private readonly bool _cooperative;
    private readonly GroupRebalancing _rebalancing;
    private readonly MembershipCheck _membership;
    private volatile bool _stopRequested;
    private IConsumer<byte[], byte[]> _consumer = null!;
    private KafkaTransaction _transaction = null!;
    private IChangelogReader _changelogReader = null!;
    private ConsumerPositions _positions = null!;
    private TransactionRecovery _recovery = null!;
    private CommitPolicy _commitPolicy = null!;
    private CommitOptions _commitOptions;
    private long _lastProgressUpdate;
    private bool _caughtUp;
    private bool _polledRecords;
    private long _lastPollEnd;

    public StreamThread(int index, RuntimeTopology runtime, StreamsConfig config, KafkaClients clients, string processId, IReadOnlyDictionary<string, IBytesStore> globalStores,
        EngineMetrics metrics, ILoggerFactory loggerFactory, Action<StreamThread, Exception> onFatal, IInstanceDirectory? directory = null,
        RocksDbMemory? memory = null, StandbyTasks? standbys = null)
    {
        _runtime = runtime;
        _config = config;
        _time = config.TimeProvider;
        _activity = new ThreadActivity(_time);
        _name = $"{config.ApplicationId}-StreamThread-{index}";
        _transactionalId = $"{config.ApplicationId}-{processId}-{index}";
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger<StreamThread>();
        _onFatal = onFatal;
        _clients = clients;
        _tasks = new TaskManager(runtime, config, metrics, _logger);
        _directory = directory;
        _member = $"{processId}-{index}";
        if (standbys is not null)
        {
            // Every thread keeps its own tasks out of the standbys and closes a standby before opening its task;
            // thread 0 runs the standby rounds.
            standbys.AddHolder(_tasks.Holds);
            _tasks.BeforeTaskOpens = standbys.Release;
            _standbys = index == 0 ? standbys : null;
        }

        var deserializationHandler = config.DeserializationExceptionHandler ?? new Errors.DeadLetterExceptionHandler(config.DeadLetterTopic);
        _environment = collector => new TaskEnvironment
        {
            ApplicationId = config.ApplicationId,
            StateDirectory = Path.Combine(config.StateDirectory, config.ApplicationId),
            Collector = collector,
            Clock = _time.UnixMilliseconds,
            DeserializationHandler = deserializationHandler,
            ProcessingHandler = config.ProcessingExceptionHandler,
            ProductionHandler = config.ProductionExceptionHandler,
            GlobalStores = globalStores,
            Metrics = metrics,
            Memory = memory,
        };
        _rebalancing = GroupRebalancing.For(config, runtime);
        _cooperative = _rebalancing.Incremental;
        _membership = new MembershipCheck(_name, config, _activity, _logger);
        _rebalance = new RebalanceHandler(_name, _member, _cooperative, _tasks, directory, _logger,
            _cooperative && !runtime.EveryTaskReadsOneTopic ? RebalanceHandler.TaskInputs(runtime) : null);
        if (standbys is not null)
        {
            _rebalance.GaveUp = tasks => standbys.GaveUp(_name, tasks);
        }

        _thread = new Thread(Run) { IsBackground = true, Name = _name };
    }

    public string Name => _name;

    /// <summary>Running tasks, for interactive queries (a snapshot; a task may close right after).</summary>
    public IReadOnlyCollection<StreamTask> Tasks => _tasks.Tasks;

    /// <summary>Tasks stopped on an error, with the error.</summary>
    public IReadOnlyDictionary<TaskId, Exception> FailedTasks => _tasks.Failed;

    /// <summary>Whether the thread currently holds an assignment and all its tasks are restored.</summary>
    public bool IsRunning => _rebalance.IsRunning;

    public IEnumerable<Measurement<long>> Lag() => _tasks.Lag();

    /// <summary>See <see cref="TaskManager.RestoreRemaining"/>; any thread.</summary>
    public IEnumerable<Measurement<long>> RestoreRemaining() => _tasks.RestoreRemaining();

    /// <summary>What the thread is doing now and for how long, and how long since its loop last went round.</summary>
    public ThreadActivity Activity => _activity;

    /// <summary>The health of every task of this thread; callable from any thread.</summary>
    public IReadOnlyList<TaskHealth> Health()
    {
        var (what, time) = _activity.Current;
        var activity = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"'{what}' for {time.TotalSeconds:0.0} s, loop {_activity.SinceLoop.TotalSeconds:0.0} s ago, {_transaction?.PendingCallbacks ?? 0} delivery callbacks pending, in transaction {_transaction?.InTransaction ?? false}");
        return _tasks.Health(_name, _config.StallTimeout, activity).Concat(_standbys?.Health() ?? []).ToList();
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
            _consumer = _clients.StreamConsumer(_name, _rebalancing, _config.StaticMembership ? $"{_config.ApplicationId}-{_member}" : null,
                _rebalance.OnAssigned, _rebalance.OnRevoked, _rebalance.OnLost);
            _changelogReader = _clients.ChangelogReader(_name);
            _transaction = new KafkaTransaction(() => _clients.StreamProducer(_name, _transactionalId), _consumer, _config.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2, _config.RequestTimeout, _metrics)
            {
                Activity = _activity,
            };
            _positions = new ConsumerPositions(_consumer, _tasks, _cooperative, _config.RequestTimeout);
            _recovery = new TransactionRecovery(_name, _transactionalId, _consumer, _transaction, _tasks, _positions, _runtime.SourceTopics,
                RestartTasks, _metrics, _logger);
            _rebalance.Attach(new StreamThreadOperations(_positions.PauseAfterAssign.AddRange, _positions.AbsolutePositions, CommitInRebalance, _recovery.AbortAfterLost));
            _consumer.Subscribe(_runtime.SourceTopics);
            _commitPolicy = new CommitPolicy(Min(_config.MinCommitInterval, _config.CommitInterval), _config.CommitInterval, _time.TickMilliseconds());
            var exactlyOnce = _config.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2;
            _commitOptions = new CommitOptions(GroupOffsetsForAll: _config.TransactionalGroupOffsets || !exactlyOnce,
                UncommittedHidden: _config.ReadCommittedHidesUncommitted);
            _lastProgressUpdate = _time.TickMilliseconds();
            _lastPollEnd = _lastProgressUpdate;
            while (!_stopRequested)
            {
                _activity.Loop();
                RetryParkedTasks();
                StartPendingTasks();
                RunStandbyRound();
                PollAndProcess();
                Punctuate();
                var started = _time.TickMilliseconds();
                if (_commitPolicy.ShouldCommit(started, _tasks.AnyNeedsCommit, _caughtUp))
                {
                    CommitAll();
                    _commitPolicy.Committed(started, _time.TickMilliseconds());
                }

                // The watermark queries keep the fixed interval: commits can come every few milliseconds at low load.
                if (_time.TickMilliseconds() - _lastProgressUpdate >= (long)_config.CommitInterval.TotalMilliseconds)
                {
                    _activity.Set("watermarks");
                    _tasks.UpdateProgress(_consumer, _config.StallTimeout);
                    _lastProgressUpdate = _time.TickMilliseconds();
                }
            }

            CommitAll();
            // Leave the group first: the consumer's close revokes every partition (its callback suspends the committed
            // tasks, see RebalanceHandler.Stopping) and sends LeaveGroup, so the partitions move to other instances
            // while this one still flushes and closes its stores, not after.
            _rebalance.Stopping();
            _consumer.Close();
            _tasks.Close(null, clean: true);
        }
        catch (Exception ex)
        {
            _logger.ThreadFailed(_name, ex);
            _tasks.Close(null, clean: false);
            _onFatal(this, ex);
        }
        finally
        {
            _rebalance.Stopped();
            _transaction?.Dispose();
            (_changelogReader as IDisposable)?.Dispose();
            _membership.Dispose();
            _consumer?.Dispose();
        }
    }

    private void PollAndProcess()
    {
        _positions.ApplyPending();

        // While tasks wait for their restore the poll does not wait for records: the loop goes back to the restore at
        // once (RestoreBudget gives it what the running tasks leave).
        var timeout = _commitPolicy.PollTimeout(_time.TickMilliseconds(), _tasks.AnyNeedsCommit, _tasks.HasPending ? TimeSpan.Zero : TimeSpan.FromMilliseconds(100));
        _caughtUp = false;
        _polledRecords = false;
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
                _caughtUp = true;
                _lastPollEnd = _time.TickMilliseconds();
                return;
            }

            _polledRecords = true;

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
                                            && _repeatedAborts.Count(task.Id, result.TopicPartitionOffset) >= RepeatedAborts.MaxPerRecord)
            {
                // The same record failed the transaction every time it was processed: a deterministic error (an
                // output or dead-letter topic that does not exist, a record too large). Replaying it would livelock
                // the whole thread, so its task stops with the reason.
                FailTask(task, new TaskFailedException(task.Id,
                    $"record {result.TopicPartitionOffset} aborted the transaction {RepeatedAborts.MaxPerRecord} times with '{ex.Error.Reason}' ({ex.Error.Code})", ex));
                return;
            }
            catch (KafkaException ex)
            {
                _recovery.AbortAndRollback(ex);
                return;
            }
        }

        _lastPollEnd = _time.TickMilliseconds();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void Punctuate()
    {
        var now = _time.UnixMilliseconds();
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
                _recovery.AbortAndRollback(ex);
            }
        }
    }

    /// <summary>Commits every running task with uncommitted work. False when the commit failed: the transaction was
    /// aborted and the tasks rolled back to their last commit (or closed, when fenced or the outcome is unknown).</summary>
    private bool CommitAll()
    {
        if (_tasks.IsEmpty)
        {
            return true;
        }

        _activity.Set("commit");
        var tasks = _tasks.Tasks;
        if (_membership.Check(_consumer, tasks) is { } refused)
        {
            _recovery.AbortAndRollback(refused);
            return false;
        }

        var stateless = tasks.Where(t => t.LoggedStores.Count == 0 && t.NeedsCommit).ToList();
        try
        {
            TaskCommitter.Commit(tasks, _transaction, _metrics, _commitOptions, out var breakdown);
            if (breakdown.Tasks > 0 && _logger.IsEnabled(LogLevel.Debug))
            {
                _logger.CommitSteps(_name, breakdown.Tasks, breakdown.ChangelogRecords, breakdown.Markers, breakdown.ChangelogMs, breakdown.SecondaryMarkersMs,
                    breakdown.FirstFlushMs, breakdown.PrimaryMarkersMs, breakdown.SecondFlushMs, breakdown.KafkaCommitMs, _transaction.LastCommitCallMs, breakdown.LocalWriteMs);
            }
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException)
        {
            _recovery.AbortAndRollback(ex);
            return false;
        }

        _membership.Confirmed();
        _recovery.Committed();
        _repeatedAborts.ForgetCommitted(_tasks);
        CommitStatelessPositions(stateless);
        return true;
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
            _logger.StatelessCommitFailed(_name, ex.Message);
        }
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
        RestartTasks(due.SelectMany(p => p).Where(assigned.Contains).ToList());
    }

    /// <summary>Queues the tasks of partitions the consumer already holds for a restore in the loop, their partitions
    /// paused until then.</summary>
    private void RestartTasks(IReadOnlyCollection<TopicPartition> partitions)
    {
        _tasks.Enqueue(partitions);
        _positions.PauseAfterAssign.AddRange(partitions);
    }

    /// <summary>
    /// Starts pending tasks (resumed if kept across the rebalance, else restored) for at most the round's
    /// <see cref="RestoreBudget"/> (half a commit interval while running tasks have records or uncommitted work, the
    /// rest of the interval since the last poll when they have none), so the running tasks are polled and committed
    /// between restores: first a round of catching up the
    /// tasks to restore with their changelogs, all of them in one read (<see cref="TaskManager.WarmUpPending"/>), then
    /// the tasks that can start (each restore reads only the tail left), at least one; then resumes each started task's
    /// partitions and seeks them to its positions. The log start and end of every pending task's changelogs are read
    /// in one request each per round. The instance directory hears of the new ownership once every pending task ran.
    /// </summary>
    /// <remarks>A long restore is spread over rounds by the catch-up; what one start still holds the round for is the
    /// tail (a previous owner's last transactions).</remarks>
    private void StartPendingTasks()
    {
        if (!_tasks.HasPending)
        {
            // The catch-up's partitions stay assigned between its rounds only (fetched meanwhile); none left.
            _changelogReader.ReleaseAssignment();
            return;
        }

        var started = _time.TickMilliseconds();
        var budget = RestoreBudget.ForRound((long)_config.CommitInterval.TotalMilliseconds, _polledRecords || _tasks.AnyNeedsCommit, started - _lastPollEnd);
        _positions.ApplyPending();
        _activity.Set("restore");
        _tasks.WarmUpPending(_changelogReader, () => _environment(_transaction), TimeSpan.FromMilliseconds(budget), _config.StandbyRecordsPerRound);
        if (!_tasks.HasStartable)
        {
            return;
        }

        _tasks.PrefetchChangelogOffsets(_changelogReader);
        try
        {
            do
            {
                var positions = _tasks.StartNextPending(_consumer, _changelogReader, _environment(_transaction), _positions.PauseAfterAssign, _positions.ResumeAfterAssign);
                // Resume first, then seek (confluentinc/librdkafka#2190: a pause that closely follows an assignment can drop
                // the assigned offset; seeking after the resume is the documented remedy).
                _positions.ApplyPending();
                _positions.SeekAll(positions.Where(p => p.Offset != Offset.End).ToList());
            }
            while (_tasks.HasStartable && _time.TickMilliseconds() - started < budget);
        }
        finally
        {
            _changelogReader.ForgetPrefetched();
        }

        if (!_tasks.HasPending)
        {
            _directory?.Announce(_member, _tasks.OwnedPartitions);
        }
    }

    /// <summary>A round of the instance's standby tasks (thread 0 only; at most once per commit interval, bounded: see
    /// <see cref="StandbyTasks"/>). Also while this thread's own tasks wait for their restore: a restore can take minutes
    /// (a cold one on the embedded cluster), and standbys left without rounds that long are cold when the next move
    /// lands on them (the failover bench's rolling restart). A pending task never has a standby here (it is held).</summary>
    private void RunStandbyRound()
    {
        if (_standbys is null)
        {
            return;
        }

        _activity.Set("standby");
        _standbys.RunRound(_name, _changelogReader, () => _environment(_transaction));
        // Standby rounds come once per commit interval and read from where they stopped: nothing is fetched between them.
        _changelogReader.ReleaseAssignment();
    }

    /// <summary>Commits before partitions are revoked; a fenced thread must not rejoin from inside the callback.</summary>
    private bool CommitInRebalance()
    {
        _recovery.InRebalance = true;
        try
        {
            return CommitAll();
        }
        finally
        {
            _recovery.InRebalance = false;
        }
    }

    private void FailTask(StreamTask task, Exception error)
    {
        _tasks.MarkFailed(task, error);
        _consumer.Pause(task.InputPartitions);
        _recovery.AbortAndRollback(error);
        task.Close();
    }

    private void HandleOutOfRange(ConsumeException ex)
    {
        var tp = ex.ConsumerRecord?.TopicPartition;
        if (tp is null)
        {
            throw new KafkaException(ex.Error);
        }

        if (!_tasks.TryGetTask(tp, out var task))
        {
            // No running task reads it: its task waits for its restore (which then seeks it) or stopped (paused). Its
            // fetch position is not in use, so the error is not a loss.
            _logger.FetchErrorIgnored(_name, ex.Error.Reason, tp.ToString());
            return;
        }

        if (ex.ConsumerRecord!.Offset.IsSpecial && task.NextOffsets.TryGetValue(tp, out var next))
        {
            // Not a position that fell off the log (that error carries the offset) but a logical one the consumer could
            // not resolve (no stored offset, from a re-assignment while the task was restoring): the task knows its
            // position.
            _positions.SeekAll([new TopicPartitionOffset(tp, next)]);
            return;
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
        _positions.SeekAll([new TopicPartitionOffset(tp, position)]);
    }
}
