using System.Reflection;
using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>
/// A transactional producer over an <see cref="InMemoryCluster"/>, so the test driver can run the engine's real
/// <see cref="Internal.Kafka.KafkaTransaction"/> (delivery accounting, unknown commit outcomes, producer replacement). It
/// answers the calls that class makes; anything else throws <see cref="NotSupportedException"/>.
/// </summary>
/// <remarks>
/// Like a broker: initialising a producer aborts the open transaction of its transactional id and bumps its epoch, which
/// fences the previous producer (its next transaction call or send throws ProducerFenced, a fatal error, as librdkafka's
/// does); a commit's markers land as the cluster's timing says. Faults come from the cluster's scripts
/// (<see cref="InMemoryCluster.FailProduce"/>, <see cref="InMemoryCluster.CommitTimeouts"/>,
/// <see cref="InMemoryCluster.SendOffsetsErrors"/>). Deliveries are reported
/// inside <c>Produce</c>. Calls arrive from the transaction's call thread while the driver's thread waits, one at a time.
/// </remarks>
internal sealed class InMemoryProducer(InMemoryCluster cluster, string transactionalId, bool storeGroupOffsets) : IProducer<byte[], byte[]>
{
    private long _transaction;
    private int _epoch;
    private IEnumerable<TopicPartitionOffset> _offsets = [];

    public Handle Handle => throw new NotSupportedException("The in-memory producer has no librdkafka handle.");

    public string Name => $"in-memory-producer-{transactionalId}";

    public void Produce(TopicPartition topicPartition, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>>? deliveryHandler = null)
    {
        ThrowIfFenced();
        if (cluster.FailProduce?.Invoke(topicPartition.Topic, message) == true)
        {
            throw new ProduceException<byte[], byte[]>(new Error(ErrorCode.Local_State, "Erroneous state (scripted by the in-memory cluster)"),
                new DeliveryResult<byte[], byte[]> { TopicPartitionOffset = new TopicPartitionOffset(topicPartition, Offset.Unset), Message = message });
        }

        var offset = cluster.Append(topicPartition.Topic, topicPartition.Partition.Value, new InMemoryCluster.StoredRecord(
            message.Key, message.Value, message.Headers, message.Timestamp.UnixTimestampMs, InMemoryCluster.TxnState.Pending, _transaction));
        deliveryHandler?.Invoke(new DeliveryReport<byte[], byte[]>
        {
            TopicPartitionOffset = new TopicPartitionOffset(topicPartition, offset),
            Message = message,
            Error = new Error(ErrorCode.NoError),
            Status = PersistenceStatus.Persisted,
        });
    }

    public void Produce(string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>>? deliveryHandler = null) =>
        throw new NotSupportedException("The engine names the partition of every record it sends.");

    public Task<DeliveryResult<byte[], byte[]>> ProduceAsync(string topic, Message<byte[], byte[]> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<DeliveryResult<byte[], byte[]>> ProduceAsync(TopicPartition topicPartition, Message<byte[], byte[]> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public int Poll(TimeSpan timeout) => 0;

    public int Flush(TimeSpan timeout) => 0;

    public void Flush(CancellationToken cancellationToken = default)
    {
    }

    public void InitTransactions(TimeSpan timeout) => _epoch = cluster.InitProducer(transactionalId);

    public void BeginTransaction()
    {
        ThrowIfFenced();
        _transaction = cluster.BeginTransaction(transactionalId);
        _offsets = [];
    }

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout)
    {
        ThrowIfFenced();
        if (cluster.SendOffsetsErrors.TryDequeue(out var refused))
        {
            throw new KafkaException(new Error(refused, $"TxnOffsetCommit refused with {refused} (scripted by the in-memory cluster)"));
        }

        _offsets = offsets.ToList();
    }

    public void CommitTransaction(TimeSpan timeout)
    {
        ThrowIfFenced();
        if (cluster.CommitTimeouts.TryDequeue(out var brokerCommits))
        {
            if (brokerCommits)
            {
                End(commit: true);
            }

            throw new KafkaRetriableException(new Error(ErrorCode.RequestTimedOut,
                $"EndTxn timed out (scripted; the broker {(brokerCommits ? "committed" : "never saw it")})"));
        }

        End(commit: true);
    }

    public void CommitTransaction() => CommitTransaction(TimeSpan.FromSeconds(30));

    public void AbortTransaction(TimeSpan timeout) => AbortTransaction();

    public void AbortTransaction()
    {
        ThrowIfFenced();
        End(commit: false);
    }

    public int AddBrokers(string brokers) => throw new NotSupportedException();

    public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    /// <summary>A producer of this transactional id initialised after this one: this one is a zombie.</summary>
    private void ThrowIfFenced()
    {
        if (_epoch != 0 && cluster.Epoch(transactionalId) != _epoch)
        {
            throw new KafkaException(new Error(ErrorCode.ProducerFenced,
                $"Producer of '{transactionalId}' with epoch {_epoch} was fenced by epoch {cluster.Epoch(transactionalId)}", isFatal: true));
        }
    }

    private void End(bool commit)
    {
        cluster.EndTransaction(_transaction, commit);
        if (commit && storeGroupOffsets)
        {
            foreach (var tpo in _offsets)
            {
                cluster.GroupOffsets[tpo.TopicPartition] = tpo.Offset.Value;
            }
        }
    }
}

/// <summary>The consumer <see cref="Internal.Kafka.KafkaTransaction"/> asks for group metadata; the in-memory producer ignores it.</summary>
internal class GroupMetadataOnlyConsumer : DispatchProxy
{
    public static IConsumer<byte[], byte[]> Create() => Create<IConsumer<byte[], byte[]>, GroupMetadataOnlyConsumer>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        "get_ConsumerGroupMetadata" => null,
        "Dispose" => null,
        _ => throw new NotSupportedException($"The driver's consumer does not answer {targetMethod?.Name}."),
    };
}
