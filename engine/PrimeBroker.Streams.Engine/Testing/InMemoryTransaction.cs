using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>
/// The driver's collector and transaction over an <see cref="InMemoryCluster"/>: sends become pending records of the
/// open transaction, a commit asks the cluster to land its markers. Faults a real cluster can produce are scripted here
/// for tests of the engine: a commit whose EndTxn times out (<see cref="CommitTimeouts"/>).
/// </summary>
/// <remarks>Not thread-safe: the driver runs on its caller's thread.</remarks>
internal sealed class InMemoryTransaction : IRecordCollector, ITransaction
{
    private readonly InMemoryCluster _cluster;
    private readonly bool _storeGroupOffsets;
    private long _transaction;
    private int _roundRobin;

    public InMemoryTransaction(InMemoryCluster cluster, bool storeGroupOffsets)
    {
        _cluster = cluster;
        _storeGroupOffsets = storeGroupOffsets;
        _transaction = cluster.BeginTransaction();
    }

    /// <summary>Called between the Kafka commit and the local apply, or before the commit, to simulate a crash there.</summary>
    public Action<bool>? CrashHook { get; set; }

    /// <summary>
    /// Commits whose EndTxn times out, in order; each value says whether the coordinator committed anyway (true: the
    /// markers land as for any commit) or never saw it (false: the transaction stays open until a new producer with the
    /// same transactional id aborts it). Either way the commit throws <see cref="IndefiniteTransactionException"/>, as
    /// <see cref="KafkaTransaction"/> does.
    /// </summary>
    public Queue<bool> CommitTimeouts { get; } = new();

    /// <summary>The open transaction's id in the cluster.</summary>
    public long CurrentTransaction => _transaction;

    public void Send(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp) =>
        Append(topic, partition, key, value, headers, timestamp);

    public void Send(string topic, int partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, Action<long> onDelivered) =>
        onDelivered(Append(topic, partition, key, value, headers, timestamp));

    public int PartitionCount(string topic) => _cluster.Topic(topic).Length;

    public void Flush()
    {
    }

    public void Commit(IReadOnlyDictionary<TopicPartition, long> inputOffsets)
    {
        CrashHook?.Invoke(false);
        if (CommitTimeouts.TryDequeue(out var brokerCommits))
        {
            if (brokerCommits)
            {
                EndTransaction(commit: true, inputOffsets);
            }

            throw new IndefiniteTransactionException("commit transaction",
                new KafkaException(new Error(ErrorCode.RequestTimedOut, $"EndTxn timed out (scripted; the broker {(brokerCommits ? "committed" : "never saw it")})")));
        }

        EndTransaction(commit: true, inputOffsets);
        CrashHook?.Invoke(true);
    }

    public void Abort() => EndTransaction(commit: false, null);

    /// <summary>A new producer with the same transactional id: its initialisation aborts this id's open transaction
    /// (the epoch bump fences the old producer).</summary>
    public void RecreateProducer() => EndTransaction(commit: false, null);

    /// <summary>The process died: with a <paramref name="timeout"/>, the open transaction stays open until the broker
    /// aborts it (a new owner has another transactional id); without, it is aborted at once (the same process restarts
    /// and its producer fences the old one).</summary>
    public void Abandon(TimeSpan? timeout)
    {
        if (timeout is { } t && _cluster.IsUnresolved(_transaction))
        {
            _cluster.AbandonTransaction(_transaction, t);
            _transaction = _cluster.BeginTransaction();
            return;
        }

        Abort();
    }

    private void EndTransaction(bool commit, IReadOnlyDictionary<TopicPartition, long>? inputOffsets)
    {
        _cluster.EndTransaction(_transaction, commit);
        _transaction = _cluster.BeginTransaction();
        if (commit && _storeGroupOffsets)
        {
            foreach (var (tp, offset) in inputOffsets!)
            {
                _cluster.GroupOffsets[tp] = offset;
            }
        }
    }

    private long Append(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp)
    {
        var partitions = _cluster.Topic(topic);
        var p = partition ?? (key is null ? _roundRobin++ % partitions.Length : Partitioning.ForKey(key, partitions.Length));
        if (p < 0 || p >= partitions.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), $"Partition {p} does not exist in '{topic}' ({partitions.Length} partitions).");
        }

        return _cluster.Append(topic, p, new InMemoryCluster.StoredRecord(key, value, headers, timestamp, InMemoryCluster.TxnState.Pending, _transaction));
    }
}
