using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Internal.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// What a stream thread does when its transaction fails: abort and roll every task back to its last commit; replace a
/// fatal producer; after an unknown commit outcome restore the tasks from the log; when fenced, give the tasks up and
/// rejoin the group. Stream thread only (the rebalance callbacks run there too).
/// </summary>
internal sealed class TransactionRecovery
{
    private readonly string _thread;
    private readonly string _transactionalId;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly KafkaTransaction _transaction;
    private readonly TaskManager _tasks;
    private readonly ConsumerPositions _positions;
    private readonly IReadOnlyList<string> _sourceTopics;
    private readonly Action<IReadOnlyCollection<TopicPartition>> _restartTasks;
    private readonly EngineMetrics _metrics;
    private readonly ILogger _logger;
    private int _fencedWithoutCommit;

    /// <summary>Creates the recovery of one stream thread; <paramref name="restartTasks"/> creates the tasks of the given
    /// partitions again from the log, as a new owner would.</summary>
    public TransactionRecovery(string thread, string transactionalId, IConsumer<byte[], byte[]> consumer, KafkaTransaction transaction, TaskManager tasks,
        ConsumerPositions positions, IReadOnlyList<string> sourceTopics, Action<IReadOnlyCollection<TopicPartition>> restartTasks, EngineMetrics metrics, ILogger logger)
    {
        _thread = thread;
        _transactionalId = transactionalId;
        _consumer = consumer;
        _transaction = transaction;
        _tasks = tasks;
        _positions = positions;
        _sourceTopics = sourceTopics;
        _restartTasks = restartTasks;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Producer fencings in a row, without a commit, after which a thread stops (see <see cref="HandleFenced"/>).</summary>
    public const int MaxFencedWithoutCommit = 3;

    /// <summary>Set while a rebalance callback commits: a fenced thread then must not rejoin the group from inside it.</summary>
    public bool InRebalance { get; set; }

    /// <summary>A transaction committed: fencings since are counted from zero.</summary>
    public void Committed() => _fencedWithoutCommit = 0;

    /// <summary>Aborts the transaction and rolls every task back to its last commit; a fenced or fatal producer is replaced.</summary>
    public void AbortAndRollback(Exception cause)
    {
        if (cause is IndefiniteTransactionException)
        {
            // The transaction may have committed, or the producer is stuck in a call: neither memory nor an abort can be
            // trusted. A new producer (its epoch bump fences the old one's transaction) and tasks restored from the log.
            _logger.ProducerRecreated(_thread, cause.Message);
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
            _logger.ProducerRecreated(_thread, cause.Message);
            _transaction.RecreateProducer();
        }

        var tasks = _tasks.Tasks;
        _logger.Aborted(_thread, cause.Message, tasks.Count);
        _metrics.RecordAbort();
        var positions = new List<TopicPartitionOffset>();
        foreach (var task in tasks)
        {
            positions.AddRange(task.Rollback().Where(e => _tasks.TryGetTask(e.Key, out _)).Select(e => new TopicPartitionOffset(e.Key, e.Value)));
        }

        _positions.SeekAll(positions);
    }

    /// <summary>Aborts the open transaction after the assignment was lost; a producer that refuses is replaced.</summary>
    public void AbortAfterLost()
    {
        try
        {
            _transaction.Abort();
        }
        catch (KafkaException)
        {
            _transaction.RecreateProducer();
        }
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
                $"Thread {_thread} was fenced {_fencedWithoutCommit} times without a commit in between: another process uses its transactional id " +
                $"'{_transactionalId}' (a copy of this instance's state directory?). Stopping instead of fencing it back.", cause);
        }

        _logger.Fenced(_thread, cause.Message, _tasks.Tasks.Count);
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
        if (!InRebalance)
        {
            _consumer.Unsubscribe();
            _consumer.Subscribe(_sourceTopics);
        }
    }

    /// <summary>
    /// Closes every running task dirty and creates it again from its changelog (and the group's offsets for tasks without
    /// one), as a new owner would: the state and positions are then whatever the log says was committed.
    /// </summary>
    private void ReinitializeTasks(string reason)
    {
        var tasks = _tasks.Tasks;
        _logger.TasksReinitialized(_thread, tasks.Count, reason);
        var partitions = tasks.SelectMany(t => t.InputPartitions).Concat(_tasks.PendingPartitions).ToList();
        _tasks.Close(null, clean: false);
        _restartTasks(partitions);
    }
}
