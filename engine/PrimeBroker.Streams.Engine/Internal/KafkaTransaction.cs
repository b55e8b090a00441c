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
    private IProducer<byte[], byte[]> _producer;
    private IAdminClient? _admin;
    private Deliveries _deliveries = new();
    private long _sent;
    private int _roundRobin;

    public KafkaTransaction(Func<IProducer<byte[], byte[]>> producerFactory, IConsumer<byte[], byte[]> consumer, bool transactional, TimeSpan timeout, EngineMetrics metrics)
    {
        _producerFactory = producerFactory;
        _consumer = consumer;
        _transactional = transactional;
        _timeout = timeout;
        _metrics = metrics;
        _producer = CreateProducer();
    }

    public bool InTransaction { get; private set; }

    /// <summary>Where the stream thread reports blocking calls; null when nobody watches.</summary>
    public ThreadActivity? Activity { get; set; }

    /// <summary>Delivery callbacks of marker records not yet run (diagnostics).</summary>
    public long PendingCallbacks => _deliveries.Pending;

    public void Send(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp) =>
        Produce(topic, partition, key, value, headers, timestamp, _deliveries.OnDelivery);

    /// <remarks>The callback is counted against the current producer and transaction only: a Produce that throws takes
    /// its count back, and a callback that arrives after the producer was replaced or the transaction aborted lands on
    /// the old count, which nobody waits for any more.</remarks>
    public void Send(string topic, int partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, Action<long> onDelivered)
    {
        var deliveries = _deliveries;
        deliveries.Add();
        try
        {
            Produce(topic, partition, key, value, headers, timestamp, report =>
            {
                try
                {
                    if (report.Error.IsError)
                    {
                        deliveries.Fail(report.Error);
                    }
                    else
                    {
                        onDelivered(report.Offset.Value);
                    }
                }
                finally
                {
                    deliveries.Done();
                }
            });
        }
        catch
        {
            deliveries.Done();
            throw;
        }
    }

    // Called for every record sent. TryGetValue first: a GetOrAdd with a lambda that captures `this` allocates a new
    // delegate on every call, hit or miss; the metadata lookup only runs on a miss (once per topic).
    public int PartitionCount(string topic) =>
        _partitionCounts.TryGetValue(topic, out var count) ? count : _partitionCounts.GetOrAdd(topic, LookUpPartitionCount);

    private int LookUpPartitionCount(string topic)
    {
        // Built on first use: most threads learn every partition count in their first transaction.
        _admin ??= new DependentAdminClientBuilder(_producer.Handle).Build();
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
        Activity?.Set("producer flush");
        var remaining = _producer.Flush(_timeout);
        if (remaining > 0)
        {
            throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"{remaining} records were not delivered within {_timeout.TotalSeconds:0.#} s."));
        }

        // Flush returns when librdkafka's queue is empty; the last delivery callbacks may still be running.
        Activity?.Set($"waiting for {PendingCallbacks} delivery callbacks after a flush");
        var spin = new SpinWait();
        var deadline = DateTime.UtcNow + _timeout;
        while (_deliveries.Pending > 0)
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
        Activity?.Set("send offsets to transaction");
        _producer.SendOffsetsToTransaction(offsets, _consumer.ConsumerGroupMetadata, _timeout);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Activity?.Set($"commit transaction (attempt {attempt})");
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
        // Callbacks of the aborted transaction (purged records report errors) must not fail the next one.
        _deliveries = new Deliveries();
        Interlocked.Exchange(ref _sent, 0);
        if (_transactional && InTransaction)
        {
            InTransaction = false;
            Activity?.Set("abort transaction");
            _producer.AbortTransaction(_timeout);
        }
    }

    /// <summary>After fencing or a fatal error: a fresh producer with the same transactional id (which fences the old
    /// one's open transaction on a real cluster).</summary>
    public void RecreateProducer()
    {
        InTransaction = false;
        _deliveries = new Deliveries();
        DisposeProducer();
        _producer = CreateProducer();
    }

    public void Dispose() => DisposeProducer();

    private IProducer<byte[], byte[]> CreateProducer()
    {
        var producer = _producerFactory();
        if (_transactional)
        {
            Activity?.Set("init transactions");
            producer.InitTransactions(_timeout);
        }

        return producer;
    }

    private void DisposeProducer()
    {
        _admin?.Dispose();
        _admin = null;
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
            Activity?.Set("begin transaction");
            _producer.BeginTransaction();
            InTransaction = true;
        }
    }

    private void ThrowOnDeliveryError()
    {
        if (_deliveries.TakeError() is { } error)
        {
            throw new KafkaException(error);
        }
    }

    /// <summary>Delivery accounting of one producer's transaction: callbacks pending and the first delivery error.
    /// Replaced, never reset, so a late callback of an earlier transaction cannot touch the current count.</summary>
    private sealed class Deliveries
    {
        private long _pending;
        private Error? _error;

        public Deliveries() => OnDelivery = report =>
        {
            if (report.Error.IsError)
            {
                Fail(report.Error);
            }
        };

        /// <summary>The callback of records sent without a delivery action (allocated once per transaction).</summary>
        public Action<DeliveryReport<byte[], byte[]>> OnDelivery { get; }

        public long Pending => Interlocked.Read(ref _pending);

        public void Add() => Interlocked.Increment(ref _pending);

        public void Done() => Interlocked.Decrement(ref _pending);

        public void Fail(Error error) => Interlocked.CompareExchange(ref _error, error, null);

        public Error? TakeError() => Interlocked.Exchange(ref _error, null);
    }
}
