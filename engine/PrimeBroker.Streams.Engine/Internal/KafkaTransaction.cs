using System.Collections.Concurrent;
using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// A stream thread's producer seen as the tasks' collector and as the transaction the commit protocol drives. Under
/// exactly-once it begins a Kafka transaction at the first send after a commit; under at-least-once the commit is a
/// flush plus a plain offset commit.
/// </summary>
/// <remarks>Send and Commit run on the stream thread; delivery callbacks on librdkafka's poll thread.</remarks>
internal sealed class KafkaTransaction : IRecordCollector, ITransaction, IDisposable
{
    private readonly Func<IProducer<byte[], byte[]>> _producerFactory;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly bool _transactional;
    private readonly TimeSpan _timeout;
    private readonly EngineMetrics _metrics;
    private readonly ConcurrentDictionary<string, int> _partitionCounts = new();
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivery;
    private IProducer<byte[], byte[]> _producer;
    private IAdminClient _admin;
    private Error? _deliveryError;
    private long _pendingCallbacks;
    private long _sent;
    private int _roundRobin;

    public KafkaTransaction(Func<IProducer<byte[], byte[]>> producerFactory, IConsumer<byte[], byte[]> consumer, bool transactional, TimeSpan timeout, EngineMetrics metrics)
    {
        _producerFactory = producerFactory;
        _consumer = consumer;
        _transactional = transactional;
        _timeout = timeout;
        _metrics = metrics;
        _onDelivery = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.CompareExchange(ref _deliveryError, report.Error, null);
            }
        };
        (_producer, _admin) = CreateProducer();
    }

    public bool InTransaction { get; private set; }

    public void Send(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp) =>
        Produce(topic, partition, key, value, headers, timestamp, _onDelivery);

    public void Send(string topic, int partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, Action<long> onDelivered)
    {
        Interlocked.Increment(ref _pendingCallbacks);
        Produce(topic, partition, key, value, headers, timestamp, report =>
        {
            try
            {
                if (report.Error.IsError)
                {
                    Interlocked.CompareExchange(ref _deliveryError, report.Error, null);
                }
                else
                {
                    onDelivered(report.Offset.Value);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _pendingCallbacks);
            }
        });
    }

    // Called for every record sent. TryGetValue first: a GetOrAdd with a lambda that captures `this` allocates a new
    // delegate on every call, hit or miss; the metadata lookup only runs on a miss (once per topic).
    public int PartitionCount(string topic) =>
        _partitionCounts.TryGetValue(topic, out var count) ? count : _partitionCounts.GetOrAdd(topic, LookUpPartitionCount);

    private int LookUpPartitionCount(string topic)
    {
        var metadata = _admin.GetMetadata(topic, _timeout);
        var topicMetadata = metadata.Topics.FirstOrDefault(m => m.Topic == topic);
        if (topicMetadata is null || topicMetadata.Error.IsError || topicMetadata.Partitions.Count == 0)
        {
            throw new KafkaException(topicMetadata?.Error ?? new Error(ErrorCode.UnknownTopicOrPart, $"Topic '{topic}' does not exist."));
        }

        return topicMetadata.Partitions.Count;
    }

    public void Flush()
    {
        var remaining = _producer.Flush(_timeout);
        if (remaining > 0)
        {
            throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"{remaining} records were not delivered within {_timeout.TotalSeconds:0.#} s."));
        }

        // Flush returns when librdkafka's queue is empty; the last delivery callbacks may still be running.
        var spin = new SpinWait();
        var deadline = DateTime.UtcNow + _timeout;
        while (Interlocked.Read(ref _pendingCallbacks) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new KafkaException(new Error(ErrorCode.Local_TimedOut, "Delivery callbacks did not run after a flush."));
            }

            spin.SpinOnce();
        }

        ThrowOnDeliveryError();
    }

    public void Commit(IReadOnlyDictionary<TopicPartition, long> inputOffsets)
    {
        var offsets = inputOffsets.Select(e => new TopicPartitionOffset(e.Key, e.Value)).ToList();
        if (!_transactional)
        {
            Flush();
            _consumer.Commit(offsets);
        }
        else
        {
            CommitTransaction(offsets);
        }

        _metrics.RecordProduced(Interlocked.Exchange(ref _sent, 0));
    }

    private void CommitTransaction(List<TopicPartitionOffset> offsets)
    {
        EnsureTransaction();
        _producer.SendOffsetsToTransaction(offsets, _consumer.ConsumerGroupMetadata, _timeout);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _producer.CommitTransaction(_timeout);
                break;
            }
            catch (KafkaRetriableException) when (attempt < 5)
            {
                // The outcome is unknown; librdkafka allows retrying the same commit call.
            }
        }

        InTransaction = false;
        ThrowOnDeliveryError();
    }

    /// <summary>Aborts the open transaction, if any; records delivered in it stay invisible to read_committed readers on a
    /// real cluster.</summary>
    public void Abort()
    {
        _deliveryError = null;
        Interlocked.Exchange(ref _sent, 0);
        if (_transactional && InTransaction)
        {
            InTransaction = false;
            _producer.AbortTransaction(_timeout);
        }
    }

    /// <summary>After fencing or a fatal error: a fresh producer with the same transactional id (which fences the old
    /// one's open transaction on a real cluster).</summary>
    public void RecreateProducer()
    {
        InTransaction = false;
        _deliveryError = null;
        Interlocked.Exchange(ref _pendingCallbacks, 0);
        DisposeProducer();
        (_producer, _admin) = CreateProducer();
    }

    public void Dispose() => DisposeProducer();

    private (IProducer<byte[], byte[]>, IAdminClient) CreateProducer()
    {
        var producer = _producerFactory();
        if (_transactional)
        {
            producer.InitTransactions(_timeout);
        }

        return (producer, new DependentAdminClientBuilder(producer.Handle).Build());
    }

    private void DisposeProducer()
    {
        _admin.Dispose();
        try
        {
            _producer.Flush(TimeSpan.Zero);
        }
        catch (KafkaException)
        {
            // A fenced or fatal producer may refuse even this; it is being discarded.
        }

        _producer.Dispose();
    }

    private void Produce(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, Action<DeliveryReport<byte[], byte[]>> handler)
    {
        EnsureTransaction();
        var p = partition ?? (key is null ? _roundRobin++ % PartitionCount(topic) : Partitioning.ForKey(key, PartitionCount(topic)));
        var message = new Message<byte[], byte[]> { Key = key!, Value = value!, Headers = headers, Timestamp = new Timestamp(timestamp, TimestampType.CreateTime) };
        while (true)
        {
            try
            {
                _producer.Produce(new TopicPartition(topic, p), message, handler);
                _sent++;
                return;
            }
            catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                _producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    private void EnsureTransaction()
    {
        if (_transactional && !InTransaction)
        {
            _producer.BeginTransaction();
            InTransaction = true;
        }
    }

    private void ThrowOnDeliveryError()
    {
        var error = Interlocked.Exchange(ref _deliveryError, null);
        if (error is not null)
        {
            throw new KafkaException(error);
        }
    }
}
