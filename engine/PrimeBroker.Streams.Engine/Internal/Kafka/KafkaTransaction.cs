using System.Collections.Concurrent;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.Runtime;

namespace PrimeBroker.Streams.Engine.Internal.Kafka;

/// <summary>
/// A stream thread's producer seen as the tasks' collector and as the transaction the commit protocol drives. Under
/// exactly-once it begins a Kafka transaction at the first send after a commit; under at-least-once the commit is a
/// flush plus a plain offset commit.
/// </summary>
/// <remarks>
/// Send and Commit run on the stream thread; delivery callbacks on librdkafka's poll thread. Transaction calls run with
/// a bound of their own: librdkafka's SendOffsetsToTransaction can ignore its timeout while the group coordinator is
/// unreachable (confluentinc/librdkafka#5456), which once left a stream thread blocked with no error. A call past its
/// bound, and a commit that failed retriably or timed out, throw <see cref="IndefiniteTransactionException"/>: the
/// caller must replace the producer (<see cref="RecreateProducer"/>, whose epoch bump fences anything in flight) and
/// re-derive its positions from the log, because the transaction may or may not have committed.
/// </remarks>
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
    private BoundedCallThread _calls;
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
        _calls = new BoundedCallThread("pbs-transaction-calls");
        _producer = CreateProducer();
    }

    public bool InTransaction { get; private set; }

    /// <summary>Where the stream thread reports blocking calls; null when nobody watches.</summary>
    public ThreadActivity? Activity { get; set; }

    /// <summary>How long the last commit's offsets and CommitTransaction took on the call thread, in milliseconds, without
    /// the hop there and back (diagnostics: the commit breakdown in the debug log).</summary>
    public double LastCommitCallMs { get; private set; }

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

        // The stream producer has no background poll thread (KafkaClients.StreamProducer), so the flush ran every
        // delivery callback on this thread; a producer with one returns when librdkafka's queue is empty while the last
        // callbacks may still be running elsewhere.
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
        var metadata = _consumer.ConsumerGroupMetadata;
        // One hop to the call thread for the whole step: the offsets (when any) and the commit.
        Bounded(offsets.Count > 0 ? "send offsets to transaction and commit" : "commit transaction", p =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            if (offsets.Count > 0)
            {
                p.SendOffsetsToTransaction(offsets, metadata, _timeout);
            }

            try
            {
                p.CommitTransaction(_timeout);
            }
            catch (KafkaException ex) when (ex is KafkaRetriableException || ex.Error.Code is ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut)
            {
                // The broker may have committed (a delayed EndTxn can even complete a later transaction: Jepsen, 2024);
                // librdkafka implements no KIP-890. Only a new producer epoch and the log can tell what happened.
                throw new IndefiniteTransactionException("commit transaction", ex);
            }
            finally
            {
                LastCommitCallMs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        });

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
            Bounded("abort transaction", p => p.AbortTransaction(_timeout));
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

    public void Dispose()
    {
        DisposeProducer();
        _calls.Dispose();
    }

    private IProducer<byte[], byte[]> CreateProducer()
    {
        var producer = _producerFactory();
        if (_transactional)
        {
            _producer = producer;
            Bounded("init transactions", p => p.InitTransactions(_timeout));
        }

        return producer;
    }

    private void DisposeProducer()
    {
        _admin?.Dispose();
        _admin = null;
        if (_calls.Stuck)
        {
            // A call still runs inside this producer: destroying it under the call is not safe. It is released when
            // the call returns (never, if librdkafka never returns; one producer and one thread are then leaked, and
            // logged as stuck). The next producer gets a thread of its own.
            var abandoned = _producer;
            var stuck = _calls;
            _calls = new BoundedCallThread("pbs-transaction-calls");
            ThreadPool.RegisterWaitForSingleObject(stuck.CallReturned, (_, _) =>
            {
                abandoned.Dispose();
                stuck.Dispose();
            }, null, Timeout.Infinite, executeOnlyOnce: true);
            return;
        }

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

    /// <summary>
    /// Runs a transaction call on the producer's call thread and waits at most the request timeout plus a grace period
    /// (the timeout again, at most 5 s). Past that the producer counts as stuck: the call is left to finish on its own
    /// and the caller gets <see cref="IndefiniteTransactionException"/>.
    /// </summary>
    private void Bounded(string what, Action<IProducer<byte[], byte[]>> call)
    {
        Activity?.Set(what);
        var producer = _producer;
        var bound = _timeout + TimeSpan.FromMilliseconds(Math.Min(5000, _timeout.TotalMilliseconds));
        if (!_calls.TryRun(() => call(producer), bound))
        {
            throw new IndefiniteTransactionException(what, new KafkaException(new Error(ErrorCode.Local_TimedOut,
                $"{what} did not return within {bound.TotalSeconds:0.#} s (librdkafka ignores its own timeout here: confluentinc/librdkafka#5456)")));
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

/// <summary>
/// A transaction call whose outcome is unknown or whose producer is stuck: a commit that failed retriably or timed out,
/// or any transaction call that did not return within its bound. The producer must be replaced and the positions
/// re-derived from the log.
/// </summary>
internal sealed class IndefiniteTransactionException(string call, KafkaException inner)
    : KafkaException(new Error(inner.Error.Code, $"{call}: outcome unknown ({inner.Error.Reason})"), inner)
{
    public string Call { get; } = call;
}
