using System.Diagnostics;
using Confluent.Kafka;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.Kafka;
using Streamiz.Kafka.Net.Metrics;

namespace PrimeBroker.Streams.Bench;

/// <summary>
/// Streamiz's own client supplier with one change: the producers it hands out are <see cref="TimedProducer"/>s, so the
/// bench sees when a transaction commit starts and returns (Streamiz has no commit callback), and how many transactions
/// were aborted. It also keeps the main consumer's configuration as Streamiz built it.
/// </summary>
internal sealed class TimedClientSupplier(IStreamConfig config, bool caching, Action<TimedProducer.Commit> onCommitted) : IKafkaSupplier
{
    private readonly DefaultKafkaClientSupplier _inner = new(new KafkaLoggerAdapter(config), config);
    private int _aborts;
    private int _producers;

    /// <summary>Transactions aborted by Streamiz's producers so far (any thread).</summary>
    public int Aborts => Volatile.Read(ref _aborts);

    /// <summary>Producers built so far.</summary>
    public int Producers => Volatile.Read(ref _producers);

    public StreamMetricsRegistry MetricsRegistry
    {
        get => _inner.MetricsRegistry;
        set => _inner.MetricsRegistry = value;
    }

    public IConsumer<byte[], byte[]> GetConsumer(ConsumerConfig consumerConfig, IConsumerRebalanceListener rebalanceListener)
    {
        LastConsumerConfig = consumerConfig;
        return _inner.GetConsumer(consumerConfig, rebalanceListener);
    }

    /// <summary>The main consumer's configuration as Streamiz built it (to report its auto.offset.reset).</summary>
    public ConsumerConfig? LastConsumerConfig { get; private set; }

    public IProducer<byte[], byte[]> GetProducer(ProducerConfig producerConfig)
    {
        Interlocked.Increment(ref _producers);
        return new TimedProducer(_inner.GetProducer(producerConfig), onCommitted, () => Interlocked.Increment(ref _aborts), caching);
    }

    public IConsumer<byte[], byte[]> GetRestoreConsumer(ConsumerConfig consumerConfig) => _inner.GetRestoreConsumer(consumerConfig);

    public IAdminClient GetAdmin(AdminClientConfig adminConfig) => _inner.GetAdmin(adminConfig);

    public IConsumer<byte[], byte[]> GetGlobalConsumer(ConsumerConfig consumerConfig) => _inner.GetGlobalConsumer(consumerConfig);
}

/// <summary>
/// A producer that forwards every call to the real one and reports each transaction commit. Streamiz's commit first
/// flushes every task (store cache -> changelog records, RocksDB flush, producer <c>Flush</c>), then calls
/// <c>SendOffsetsToTransaction</c> and <c>CommitTransaction</c>. The reported duration runs from the first of these
/// seen since the previous commit (a changelog write when the store caches, since a cached store writes its changelog
/// only when flushed; otherwise the first <c>Flush</c>) to the return of <c>CommitTransaction</c>. Called on the stream
/// thread that owns the producer.
/// </summary>
internal sealed class TimedProducer(IProducer<byte[], byte[]> inner, Action<TimedProducer.Commit> onCommitted, Action onAborted, bool changelogWriteStartsCommit)
    : IProducer<byte[], byte[]>
{
    private long _commitStarted;
    private int _flushes;
    private long _flushTicks;

    /// <summary>One returned commit: its duration in milliseconds, and the producer <c>Flush</c> calls it made and the
    /// milliseconds spent inside them.</summary>
    internal readonly record struct Commit(double DurationMs, int Flushes, double FlushMs);

    public Handle Handle => inner.Handle;

    public string Name => inner.Name;

    public int AddBrokers(string brokers) => inner.AddBrokers(brokers);

    public void SetSaslCredentials(string username, string password) => inner.SetSaslCredentials(username, password);

    public Task<DeliveryResult<byte[], byte[]>> ProduceAsync(string topic, Message<byte[], byte[]> message, CancellationToken cancellationToken = default) =>
        inner.ProduceAsync(topic, message, cancellationToken);

    public Task<DeliveryResult<byte[], byte[]>> ProduceAsync(TopicPartition topicPartition, Message<byte[], byte[]> message, CancellationToken cancellationToken = default) =>
        inner.ProduceAsync(topicPartition, message, cancellationToken);

    public void Produce(string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>>? deliveryHandler = null)
    {
        ChangelogWrite(topic);
        inner.Produce(topic, message, deliveryHandler);
    }

    public void Produce(TopicPartition topicPartition, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>>? deliveryHandler = null)
    {
        ChangelogWrite(topicPartition.Topic);
        inner.Produce(topicPartition, message, deliveryHandler);
    }

    public int Poll(TimeSpan timeout) => inner.Poll(timeout);

    public int Flush(TimeSpan timeout)
    {
        MarkCommitStart();
        var started = Stopwatch.GetTimestamp();
        var left = inner.Flush(timeout);
        Flushed(started);
        return left;
    }

    public void Flush(CancellationToken cancellationToken = default)
    {
        MarkCommitStart();
        var started = Stopwatch.GetTimestamp();
        inner.Flush(cancellationToken);
        Flushed(started);
    }

    public void InitTransactions(TimeSpan timeout) => inner.InitTransactions(timeout);

    public void BeginTransaction() => inner.BeginTransaction();

    public void CommitTransaction(TimeSpan timeout)
    {
        inner.CommitTransaction(timeout);
        Committed();
    }

    public void CommitTransaction()
    {
        inner.CommitTransaction();
        Committed();
    }

    public void AbortTransaction(TimeSpan timeout)
    {
        onAborted();
        inner.AbortTransaction(timeout);
    }

    public void AbortTransaction()
    {
        onAborted();
        inner.AbortTransaction();
    }

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout)
    {
        MarkCommitStart();
        inner.SendOffsetsToTransaction(offsets, groupMetadata, timeout);
    }

    public void Dispose() => inner.Dispose();

    private void ChangelogWrite(string topic)
    {
        if (changelogWriteStartsCommit && topic.EndsWith("-changelog", StringComparison.Ordinal))
        {
            MarkCommitStart();
        }
    }

    private void MarkCommitStart()
    {
        if (_commitStarted == 0)
        {
            _commitStarted = Stopwatch.GetTimestamp();
        }
    }

    private void Flushed(long started)
    {
        _flushes++;
        _flushTicks += Stopwatch.GetTimestamp() - started;
    }

    private void Committed()
    {
        var started = _commitStarted;
        var commit = new Commit(started == 0 ? 0 : Stopwatch.GetElapsedTime(started).TotalMilliseconds, _flushes, _flushTicks * 1000.0 / Stopwatch.Frequency);
        _commitStarted = 0;
        _flushes = 0;
        _flushTicks = 0;
        onCommitted(commit);
    }
}
