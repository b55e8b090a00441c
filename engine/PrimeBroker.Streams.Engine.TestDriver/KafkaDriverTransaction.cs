using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>
/// The engine's real <see cref="KafkaTransaction"/> (delivery accounting, bounded transaction calls, unknown commit
/// outcomes, producer replacement) over <see cref="InMemoryProducer"/>s, as the test driver's transaction. Records get
/// their partition here, so the transaction never asks a broker for partition counts.
/// </summary>
/// <remarks>Not thread-safe: the driver runs on its caller's thread (the transaction calls hop to the transaction's own
/// call thread while it waits).</remarks>
internal sealed class KafkaDriverTransaction : IDriverTransaction
{
    /// <summary>Bound of each transaction call and of the wait for delivery callbacks after a flush.</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly InMemoryCluster _cluster;
    private readonly bool _storeGroupOffsets;
    private readonly EngineMetrics _metrics;
    private KafkaTransaction _kafka;
    private string _transactionalId = "driver-0";
    private int _instance;
    private int _roundRobin;

    public KafkaDriverTransaction(InMemoryCluster cluster, bool storeGroupOffsets, EngineMetrics metrics)
    {
        _cluster = cluster;
        _storeGroupOffsets = storeGroupOffsets;
        _metrics = metrics;
        _kafka = Create();
    }

    public Action<bool>? CrashHook { get; set; }

    /// <summary>Delivery callbacks the transaction still waits for.</summary>
    public long PendingCallbacks => _kafka.PendingCallbacks;

    public void Send(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp) =>
        _kafka.Send(topic, DriverPartitioner.Choose(_cluster, topic, partition, key, ref _roundRobin), key, value, headers, timestamp);

    public void Send(string topic, int partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, Action<long> onDelivered) =>
        _kafka.Send(topic, partition, key, value, headers, timestamp, onDelivered);

    public int PartitionCount(string topic) => _cluster.Topic(topic).Length;

    public void Flush() => _kafka.Flush();

    public void Commit(IReadOnlyDictionary<TopicPartition, long> inputOffsets)
    {
        CrashHook?.Invoke(false);
        _kafka.Commit(inputOffsets);
        CrashHook?.Invoke(true);
    }

    public void Abort() => _kafka.Abort();

    public void RecreateProducer() => _kafka.RecreateProducer();

    public void Abandon(TimeSpan? timeout)
    {
        _kafka.Dispose();
        if (timeout is { } t)
        {
            // The next owner is another instance with a transactional id of its own.
            _cluster.AbandonTransaction(_transactionalId, t);
            _transactionalId = $"driver-{++_instance}";
        }

        _kafka = Create(); // its initialisation aborts what this id left open
    }

    public void Dispose() => _kafka.Dispose();

    private KafkaTransaction Create() =>
        new(() => new InMemoryProducer(_cluster, _transactionalId, _storeGroupOffsets), GroupMetadataOnlyConsumer.Create(), transactional: true, Timeout, _metrics);
}
