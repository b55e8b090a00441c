using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>
/// The driver's default collector and transaction over an <see cref="InMemoryCluster"/>: sends become pending records of
/// the open transaction, a commit asks the cluster to land its markers. It follows the cluster's scripted faults
/// (<see cref="InMemoryCluster.FailProduce"/>, <see cref="InMemoryCluster.CommitTimeouts"/>) but keeps no delivery
/// accounting; <see cref="KafkaDriverTransaction"/> runs the engine's real one.
/// </summary>
/// <remarks>Not thread-safe: the driver runs on its caller's thread.</remarks>
internal sealed class InMemoryTransaction : IDriverTransaction
{
    private const string TransactionalId = "driver";
    private readonly InMemoryCluster _cluster;
    private readonly bool _storeGroupOffsets;
    private long _transaction;
    private int _roundRobin;

    public InMemoryTransaction(InMemoryCluster cluster, bool storeGroupOffsets)
    {
        _cluster = cluster;
        _storeGroupOffsets = storeGroupOffsets;
        _transaction = cluster.BeginTransaction(TransactionalId);
    }

    public Action<bool>? CrashHook { get; set; }

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
        if (_cluster.CommitTimeouts.TryDequeue(out var brokerCommits))
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

    public void RecreateProducer()
    {
        _cluster.InitProducer(TransactionalId);
        _transaction = _cluster.BeginTransaction(TransactionalId);
    }

    public void Abandon(TimeSpan? timeout)
    {
        if (timeout is { } t)
        {
            _cluster.AbandonTransaction(TransactionalId, t);
            _transaction = _cluster.BeginTransaction(TransactionalId);
            return;
        }

        RecreateProducer();
    }

    public void Dispose()
    {
    }

    private void EndTransaction(bool commit, IReadOnlyDictionary<TopicPartition, long>? inputOffsets)
    {
        _cluster.EndTransaction(_transaction, commit);
        _transaction = _cluster.BeginTransaction(TransactionalId);
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
        var p = DriverPartitioner.Choose(_cluster, topic, partition, key, ref _roundRobin);
        if (_cluster.FailProduce?.Invoke(topic, new Message<byte[], byte[]> { Key = key!, Value = value!, Headers = headers }) == true)
        {
            throw new ProduceException<byte[], byte[]>(new Error(ErrorCode.Local_State, "Erroneous state (scripted by the in-memory cluster)"), new DeliveryResult<byte[], byte[]>());
        }

        return _cluster.Append(topic, p, new InMemoryCluster.StoredRecord(key, value, headers, timestamp, InMemoryCluster.TxnState.Pending, _transaction));
    }
}

/// <summary>The partition of a record the driver's transactions send: the given one, murmur2 of the key, or round-robin.</summary>
internal static class DriverPartitioner
{
    public static int Choose(InMemoryCluster cluster, string topic, int? partition, byte[]? key, ref int roundRobin)
    {
        var count = cluster.Topic(topic).Length;
        var p = partition ?? (key is null ? roundRobin++ % count : Partitioning.ForKey(key, count));
        if (p < 0 || p >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), $"Partition {p} does not exist in '{topic}' ({count} partitions).");
        }

        return p;
    }
}
