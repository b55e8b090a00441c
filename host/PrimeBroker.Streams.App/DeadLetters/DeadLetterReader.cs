using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.App.DeadLetters;

/// <summary>One dead letter: where it is, why it failed, and the original record when it can be decoded.</summary>
/// <param name="Partition">Partition of the DLQ topic.</param>
/// <param name="Offset">Offset there; <c>partition:offset</c> names a dead letter for <c>dlq --show</c> and <c>--redrive</c>.</param>
/// <param name="Reason">The failure class: the topology's reason, or the engine's exception type.</param>
/// <param name="Message">The failure message.</param>
/// <param name="SourceTopic">Where the record was read from.</param>
/// <param name="SourcePartition">Its partition there.</param>
/// <param name="SourceOffset">Its offset there.</param>
/// <param name="Timestamp">When it was dead-lettered (UTC).</param>
/// <param name="Original">The original record, decoded; null when its bytes do not decode.</param>
internal sealed record DeadLetter(int Partition, long Offset, string Reason, string Message, string SourceTopic, int SourcePartition,
    long SourceOffset, DateTimeOffset Timestamp, ISpecificRecord? Original)
{
    internal string Id => $"{Partition}:{Offset}";
}

/// <summary>
/// Reads the dead-letter topic (<see cref="BrokerageOptions.DeadLetterTopic"/>) from the start of every partition to its end at the time of the
/// call. Understands both forms a dead letter takes: a <see cref="FailedTradeEvent"/> envelope (the topology's
/// validation failures) and the original bytes with the engine's <see cref="DeadLetterHeaders"/> (records that did not
/// deserialize).
/// </summary>
internal sealed class DeadLetterReader(KafkaClientSettings clients, ISchemaRegistryClient registry, BrokerageOptions topics)
{
    private readonly string _topic = topics.DeadLetterTopic;
    private readonly Serde<FailedTradeEvent> _envelope = AvroSerdes.For<FailedTradeEvent>(registry);
    private readonly Serde<ISpecificRecord> _trades = TradeEventSerdes.ForTradeEvents(registry);

    /// <summary>Every dead letter, oldest first per partition.</summary>
    /// <exception cref="TimeoutException">The topic could not be read within <paramref name="timeout"/>.</exception>
    internal IReadOnlyList<DeadLetter> ReadAll(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(ConsumerConfig()).LoggingTo(clients.Log).Build();
        using var admin = new AdminClientBuilder(clients.Admin()).LoggingTo(clients.Log).Build();
        var (starts, ends) = TopicExtent.Read(admin, consumer, _topic, timeout);

        var letters = new List<DeadLetter>();
        if (starts.Count == 0)
        {
            return letters;
        }

        TopicRangeReader.Read(consumer, _topic, starts, ends, timeout, cancellationToken, result => letters.Add(Decode(result)));
        return letters.OrderBy(l => l.Timestamp).ThenBy(l => l.Partition).ThenBy(l => l.Offset).ToList();
    }

    /// <summary>The reader's consumer config: the pass-through client settings plus its own role (no group offsets,
    /// committed records only, end-of-partition events).</summary>
    internal ConsumerConfig ConsumerConfig()
    {
        var config = clients.Consumer();
        config.GroupId = $"dlq-reader-{Guid.NewGuid():N}";
        config.EnableAutoCommit = false;
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        // A transactional writer's last offsets are commit markers, never returned as records: the read ends on the
        // consumer's position (TopicRangeReader), and on an EOF event past the end as well.
        config.EnablePartitionEof = true;
        return config;
    }

    /// <summary>The reader's admin config (topic metadata).</summary>
    internal AdminClientConfig AdminConfig() => clients.Admin();

    private DeadLetter Decode(ConsumeResult<byte[], byte[]> result)
    {
        var headers = result.Message.Headers;
        var when = result.Message.Timestamp.UtcDateTime;
        if (Header(headers, DeadLetterHeaders.ErrorType) is { } errorType)
        {
            return new DeadLetter(result.Partition.Value, result.Offset.Value, errorType,
                Header(headers, DeadLetterHeaders.ErrorMessage) ?? string.Empty,
                Header(headers, DeadLetterHeaders.SourceTopic) ?? string.Empty,
                int.TryParse(Header(headers, DeadLetterHeaders.SourcePartition), out var sp) ? sp : -1,
                long.TryParse(Header(headers, DeadLetterHeaders.SourceOffset), out var so) ? so : -1,
                when, TryDecodeTrade(result.Message.Value, topics.TradeEventsTopic));
        }

        try
        {
            var envelope = _envelope.Deserializer.Deserialize(result.Message.Value, result.Message.Value is null,
                new SerializationContext(MessageComponentType.Value, result.Topic, headers));
            return new DeadLetter(result.Partition.Value, result.Offset.Value, envelope.errorType, envelope.errorMessage,
                envelope.sourceTopic, envelope.sourcePartition, envelope.sourceOffset, new DateTimeOffset(envelope.timestamp, TimeSpan.Zero),
                TryDecodeTrade(envelope.originalValue, envelope.sourceTopic));
        }
        catch (EventDeserializationException e)
        {
            return new DeadLetter(result.Partition.Value, result.Offset.Value, "Undecodable", e.Message, string.Empty, -1, -1, when, null);
        }
    }

    private ISpecificRecord? TryDecodeTrade(byte[]? bytes, string topic)
    {
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return _trades.Deserializer.Deserialize(bytes, false, new SerializationContext(MessageComponentType.Value, topic));
        }
        catch (EventDeserializationException)
        {
            return null;
        }
    }

    private static string? Header(Headers? headers, string key) =>
        headers is not null && headers.TryGetLastBytes(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
