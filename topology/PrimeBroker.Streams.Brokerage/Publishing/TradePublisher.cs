using System.Collections.Concurrent;
using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Brokerage.Publishing;

/// <summary>Where and under which numbers a record was written.</summary>
/// <param name="AccountId">The account (the record's key).</param>
/// <param name="SequenceNumber">The record's per-account sequence number.</param>
/// <param name="IdempotencyKey">The record's idempotency key.</param>
/// <param name="Partition">The partition of the trade topic it was written to.</param>
/// <param name="Offset">Its offset there.</param>
public sealed record PublishedTrade(string AccountId, long SequenceNumber, string IdempotencyKey, int Partition, long Offset);

/// <summary>
/// The producer side of <see cref="PrimeBrokerTopics.TradeEvents"/>: assigns each account's trades consecutive sequence
/// numbers (1, 2, 3, ...) and an idempotency key, places them with Java-compatible murmur2 (the partitioner of the engine
/// and of Java clients, <see cref="Partitioning.ForKey"/>), and after a restart recovers the last sequence number of every
/// account by reading the topic back and, when configured, the topology's applied sequences
/// (<see cref="TradePublisherOptions.AppliedSequencesTopic"/>), which outlive the topic's retention (<see cref="StartAsync"/>).
/// </summary>
/// <remarks>
/// <para>Order: a sequence number is assigned and the record enqueued under one per-account lock, and the producer is
/// idempotent (<c>enable.idempotence</c>, acks=all), so per account the topic holds the records in sequence order even
/// when many threads publish at once.</para>
/// <para>One publisher per account at a time: two publishers (two processes) numbering the same account would assign the
/// same numbers twice; the topology then treats the second as a resend. Run the publisher where a single writer per
/// account is guaranteed (one process, or accounts split between processes).</para>
/// <para>A publish whose delivery fails (after <see cref="TradePublisherOptions.DeliveryTimeout"/>) has consumed its
/// number: the topology sees a gap and holds the account's later trades until the trade is published again or an
/// operator resolves the gap. Thread-safe.</para>
/// </remarks>
public sealed class TradePublisher : IAsyncDisposable, IDisposable
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly TradePublisherOptions _options;
    private readonly ILogger _logger;
    private readonly Serde<ISpecificRecord> _serde;
    private readonly IProducer<string, ISpecificRecord> _producer;
    private readonly ConcurrentDictionary<string, AccountCounter> _counters = new(StringComparer.Ordinal);
    private int _partitionCount;
    private int _appliedPartitionCount;
    private long _published;
    private int _disposed;

    private TradePublisher(TradePublisherOptions options, ISchemaRegistryClient registry, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _serde = TradeEventSerdes.ForTradeEvents(registry);
        var config = new ProducerConfig(new Dictionary<string, string>(options.ClientConfig))
        {
            BootstrapServers = options.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = options.Linger.TotalMilliseconds,
            MessageTimeoutMs = (int)options.DeliveryTimeout.TotalMilliseconds,
            // Records are placed by PartitionFor; the partitioner only matters if a record is ever sent unplaced.
            Partitioner = Confluent.Kafka.Partitioner.Murmur2Random,
        };
        _producer = new ProducerBuilder<string, ISpecificRecord>(config)
            .SetKeySerializer(Serializers.Utf8)
            .SetValueSerializer(_serde.Serializer)
            .LoggingTo(_logger)
            .Build();
    }

    /// <summary>The topic the publisher writes.</summary>
    public string Topic => _options.Topic;

    /// <summary>Partitions of <see cref="Topic"/>, read at start.</summary>
    public int PartitionCount => _partitionCount;

    /// <summary>Records written (acknowledged) since this publisher started.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>
    /// Creates a publisher and recovers its counters: reads <see cref="TradePublisherOptions.Topic"/> (and
    /// <see cref="TradePublisherOptions.AppliedSequencesTopic"/> when set) from the start of every partition up to its end
    /// at the time of the call and keeps the highest sequence number per account. Returns once the publisher is ready to
    /// number new trades.
    /// </summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="registry">The schema registry client; not disposed by the publisher.</param>
    /// <param name="logger">Null for none.</param>
    /// <param name="cancellationToken">Cancels the recovery.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="InvalidOperationException">The topic does not exist.</exception>
    /// <exception cref="TimeoutException">The read-back made no progress for <see cref="TradePublisherOptions.RecoveryTimeout"/>.</exception>
    /// <exception cref="SequenceRecoveryException">The schema registry was unavailable, so a record's number could not be read.</exception>
    public static async Task<TradePublisher> StartAsync(TradePublisherOptions options, ISchemaRegistryClient registry,
        ILogger<TradePublisher>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        options.Validate();
        var publisher = new TradePublisher(options, registry, (ILogger?)logger ?? NullLogger.Instance);
        try
        {
            await Task.Run(() => publisher.Recover(cancellationToken), cancellationToken).ConfigureAwait(false);
            return publisher;
        }
        catch
        {
            await publisher.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The partition of <see cref="Topic"/> that holds <paramref name="accountId"/>'s records:
    /// <c>(murmur2(utf8(accountId)) &amp; 0x7fffffff) % partitions</c>, as Java clients place them.</summary>
    public int PartitionFor(string accountId)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        return Partitioning.ForKey(Encoding.UTF8.GetBytes(accountId), _partitionCount);
    }

    /// <summary>The last sequence number assigned to <paramref name="accountId"/> (recovered or by this publisher); 0 when
    /// none.</summary>
    public long LastSequence(string accountId) =>
        _counters.TryGetValue(accountId, out var counter) ? Interlocked.Read(ref counter.Last) : 0;

    /// <summary>
    /// Publishes a new trade: sets <paramref name="trade"/>'s <c>sequenceNumber</c> to the account's next number and, when
    /// its <c>idempotencyKey</c> is empty, a new key (a GUID). A caller that re-publishes a trade (for example a re-drive
    /// from the DLQ) keeps the original idempotency key, so the topology can never apply it twice.
    /// </summary>
    /// <returns>Where the trade was written, once the cluster acknowledged it.</returns>
    /// <exception cref="ArgumentException">The trade has no account id.</exception>
    /// <exception cref="ProduceException{TKey,TValue}">The record could not be written.</exception>
    public Task<PublishedTrade> PublishAsync(TradeCreated trade, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trade);
        if (string.IsNullOrEmpty(trade.accountId))
        {
            throw new ArgumentException("The trade has no accountId.", nameof(trade));
        }

        if (string.IsNullOrEmpty(trade.idempotencyKey))
        {
            trade.idempotencyKey = Guid.NewGuid().ToString("N");
        }

        return Send(trade.accountId, trade.idempotencyKey, trade, assign: sequence => trade.sequenceNumber = sequence, cancellationToken);
    }

    /// <summary>
    /// Reserves the account's next sequence number without writing anything, for a caller that writes the record later
    /// with <see cref="PublishAsIsAsync"/> (the load generator uses it to send two trades out of order). A reserved number
    /// that is never written is a gap the topology will hold the account on.
    /// </summary>
    public long ReserveSequence(string accountId)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var counter = _counters.GetOrAdd(accountId, static _ => new AccountCounter());
        lock (counter)
        {
            return ++counter.Last;
        }
    }

    /// <summary>
    /// Writes <paramref name="record"/> (one of <see cref="TradeEventSerdes.TradeEventTypes"/>) keyed by
    /// <paramref name="accountId"/> exactly as given: no number or key is assigned. For resends of an already numbered
    /// record, records numbered by <see cref="ReserveSequence"/>, and operator commands.
    /// </summary>
    /// <exception cref="ProduceException{TKey,TValue}">The record could not be written.</exception>
    public Task<PublishedTrade> PublishAsIsAsync(string accountId, ISpecificRecord record, long sequenceNumber = 0,
        string idempotencyKey = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(record);
        return Send(accountId, idempotencyKey, record, assign: null, cancellationToken, sequenceNumber);
    }

    private Task<PublishedTrade> Send(string accountId, string idempotencyKey, ISpecificRecord record, Action<long>? assign,
        CancellationToken cancellationToken, long givenSequence = 0)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_partitionCount == 0)
        {
            throw new InvalidOperationException("The publisher has not recovered its counters; create it with StartAsync.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var completion = new TaskCompletionSource<PublishedTrade>(TaskCreationOptions.RunContinuationsAsynchronously);
        var partition = new TopicPartition(_options.Topic, PartitionFor(accountId));
        var counter = _counters.GetOrAdd(accountId, static _ => new AccountCounter());
        var message = new Message<string, ISpecificRecord> { Key = accountId, Value = record };
        lock (counter)
        {
            // Numbering and enqueueing under one lock: the idempotent producer keeps enqueue order per partition.
            var sequence = givenSequence;
            if (assign is not null)
            {
                sequence = counter.Last + 1;
                assign(sequence);
            }

            Enqueue(partition, message, report =>
            {
                if (report.Error.IsError)
                {
                    completion.TrySetException(new ProduceException<string, ISpecificRecord>(report.Error, report));
                }
                else
                {
                    Interlocked.Increment(ref _published);
                    completion.TrySetResult(new PublishedTrade(accountId, sequence, idempotencyKey, report.Partition.Value, report.Offset.Value));
                }
            });
            if (assign is not null)
            {
                counter.Last = sequence;
            }
            else if (sequence > counter.Last)
            {
                counter.Last = sequence;
            }
        }

        return completion.Task;
    }

    private void Enqueue(TopicPartition partition, Message<string, ISpecificRecord> message,
        Action<DeliveryReport<string, ISpecificRecord>> handler)
    {
        while (true)
        {
            try
            {
                _producer.Produce(partition, message, handler);
                return;
            }
            catch (ProduceException<string, ISpecificRecord> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Back-pressure: librdkafka's queue is full; wait for deliveries to drain it.
                Thread.Sleep(5);
            }
        }
    }

    /// <summary>
    /// Reads <paramref name="partitions"/> of the topic (and of the applied-sequences changelog) back again and raises
    /// each account's counter to the highest sequence number found there. For a host that numbers trades only for the accounts it owns: when it gains a
    /// partition, another instance may have numbered that partition's accounts since this publisher started.
    /// </summary>
    /// <exception cref="TimeoutException">The read-back made no progress for the recovery timeout.</exception>
    /// <exception cref="SequenceRecoveryException">The schema registry was unavailable.</exception>
    public Task RecoverPartitionsAsync(IEnumerable<int> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var list = partitions.ToList();
        return Task.Run(() => ReadBack(list, cancellationToken), cancellationToken);
    }

    private void Recover(CancellationToken cancellationToken)
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig(new Dictionary<string, string>(_options.ClientConfig))
        { BootstrapServers = _options.BootstrapServers }).LoggingTo(_logger).Build())
        {
            // All-topics metadata: asking for one topic by name would auto-create it on clusters that allow that.
            var topics = admin.GetMetadata(_options.RecoveryTimeout).Topics;
            var topic = topics.FirstOrDefault(t => t.Topic == _options.Topic);
            if (topic is null || topic.Error.IsError || topic.Partitions.Count == 0)
            {
                throw new InvalidOperationException(
                    $"Topic '{_options.Topic}' does not exist ({topic?.Error.Reason ?? "no metadata"}); provision the topic catalog first.");
            }

            _partitionCount = topic.Partitions.Count;
            if (_options.AppliedSequencesTopic is { } applied)
            {
                // Absent until the topology first ran: it has applied nothing then.
                var changelog = topics.FirstOrDefault(t => t.Topic == applied && !t.Error.IsError);
                _appliedPartitionCount = changelog?.Partitions.Count ?? 0;
            }
        }

        ReadBack(Enumerable.Range(0, _partitionCount).ToList(), cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="partitions"/> of the trade topic (and of the applied-sequences changelog when configured; its
    /// partition p holds the accounts of the topic's partition p, the topology's task p) from their start to their end at
    /// the time of the call, and raises each account's counter to the highest number found. Bounded by progress: it
    /// gives up only after <see cref="TradePublisherOptions.RecoveryTimeout"/> without a record.
    /// </summary>
    private void ReadBack(IReadOnlyList<int> partitions, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(_options.ClientConfig))
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = $"trade-publisher-recovery-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            // The end of a partition is where the consumer reports EOF: a transactional writer's last offsets are commit
            // markers, which are never returned as records.
            EnablePartitionEof = true,
        };
        // A read-back is one sequential scan: large fetches and a deep prefetch queue (unless configured otherwise).
        SetUnlessConfigured(config, "queued.min.messages", "100000");
        SetUnlessConfigured(config, "fetch.max.bytes", "52428800");
        SetUnlessConfigured(config, "max.partition.fetch.bytes", "10485760");
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).LoggingTo(_logger).Build();
        var sources = partitions.Select(p => new TopicPartition(_options.Topic, p)).ToList();
        if (_options.AppliedSequencesTopic is { } applied)
        {
            sources.AddRange(partitions.Where(p => p < _appliedPartitionCount).Select(p => new TopicPartition(applied, p)));
        }

        var ends = new Dictionary<TopicPartition, long>();
        var starts = new List<TopicPartitionOffset>();
        foreach (var tp in sources)
        {
            var marks = consumer.QueryWatermarkOffsets(tp, _options.RecoveryTimeout);
            if (marks.High.Value > marks.Low.Value)
            {
                ends[tp] = marks.High.Value;
                starts.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        var read = new ReadBackCounts();
        if (starts.Count > 0)
        {
            consumer.Assign(starts);
            var lastProgress = DateTime.UtcNow;
            while (ends.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (DateTime.UtcNow - lastProgress > _options.RecoveryTimeout)
                {
                    throw new TimeoutException(
                        $"Reading '{_options.Topic}' back made no progress for {_options.RecoveryTimeout}; {ends.Count} partitions unread: {string.Join(", ", ends.Keys)}.");
                }

                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is null)
                {
                    continue;
                }

                lastProgress = DateTime.UtcNow;
                if (!result.IsPartitionEOF)
                {
                    Apply(result, read);
                }

                if (ends.TryGetValue(result.TopicPartition, out var end) && result.Offset.Value + (result.IsPartitionEOF ? 0 : 1) >= end)
                {
                    ends.Remove(result.TopicPartition);
                }
            }
        }

        Log.PublisherRecovered(_logger, _options.Topic, partitions.Count, read.Records, _counters.Count, read.Skipped);
        if (_options.AppliedSequencesTopic is { } changelog)
        {
            Log.PublisherReadAppliedSequences(_logger, changelog, _appliedPartitionCount == 0 ? 0 : partitions.Count(p => p < _appliedPartitionCount), read.Applied, read.Raised);
        }
    }

    private void Apply(ConsumeResult<byte[], byte[]> result, ReadBackCounts read)
    {
        if (result.Topic == _options.Topic)
        {
            read.Records++;
            if (SequenceOf(result) is { } found)
            {
                Raise(found.Account, found.Sequence);
            }
            else
            {
                read.Skipped++;
            }

            return;
        }

        if (AppliedOf(result) is { } applied)
        {
            read.Applied++;
            if (Raise(applied.Account, applied.NextExpected - 1))
            {
                read.Raised++;
            }
        }
    }

    /// <summary>Raises the account's counter to <paramref name="sequence"/>; true when it rose.</summary>
    private bool Raise(string account, long sequence)
    {
        if (sequence < 1)
        {
            return false;
        }

        var counter = _counters.GetOrAdd(account, static _ => new AccountCounter());
        lock (counter)
        {
            if (sequence <= counter.Last)
            {
                return false;
            }

            counter.Last = sequence;
            return true;
        }
    }

    /// <summary>A record of the <c>sequences</c> changelog: key the account id (UTF-8), value its next expected number
    /// (8 bytes, big-endian, the store's Int64 serde). Tombstones and anything else (the engine's commit markers, whose
    /// keys start with U+0000, which no account id contains) are not applied numbers.</summary>
    private static (string Account, long NextExpected)? AppliedOf(ConsumeResult<byte[], byte[]> result)
    {
        byte[]? key = result.Message.Key;
        byte[]? value = result.Message.Value;
        if (key is null || key.Length == 0 || value is not { Length: 8 })
        {
            return null;
        }

        string account;
        try
        {
            account = s_strictUtf8.GetString(key);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        if (account.Any(char.IsControl))
        {
            return null;
        }

        return (account, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(value));
    }

    private (string Account, long Sequence)? SequenceOf(ConsumeResult<byte[], byte[]> result)
    {
        try
        {
            var context = new SerializationContext(MessageComponentType.Value, result.Topic, result.Message.Headers);
            return _serde.Deserializer.Deserialize(result.Message.Value, result.Message.Value is null, context) switch
            {
                TradeCreated t => (t.accountId, t.sequenceNumber),
                TradeAmended a => (a.accountId, a.sequenceNumber),
                TradeCancelled c => (c.accountId, c.sequenceNumber),
                _ => null, // operator commands carry no sequence of their own
            };
        }
        catch (EventDeserializationException e) when (e.Reason == DeserializationFailureReason.SchemaRegistryUnavailable)
        {
            // Not "no history": the record may carry the account's last number. Numbering on would reuse it.
            throw new SequenceRecoveryException(
                $"The trade publisher cannot recover the sequence numbers of '{result.Topic}': the schema registry is unavailable " +
                $"(reading [{result.Partition.Value}] at offset {result.Offset.Value}: {e.Message}). It does not start, since numbering " +
                "without them would reuse numbers and the topology would skip the new trades as duplicates; start it again once the registry is reachable.", e);
        }
        catch (EventDeserializationException)
        {
            // Not a record this publisher numbers (garbage, or a type written by a newer version): it assigned no number.
            return null;
        }
    }

    private static void SetUnlessConfigured(ConsumerConfig config, string key, string value)
    {
        if (config.Get(key) is null)
        {
            config.Set(key, value);
        }
    }

    /// <summary>Waits up to 10 s for records in flight, then closes the producer.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class AccountCounter
    {
        public long Last;
    }

    private sealed class ReadBackCounts
    {
        public long Records;
        public long Skipped;
        public long Applied;
        public long Raised;
    }
}
