using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.App.DeadLetters;

/// <summary>One alert of the <c>alerts</c> topic, as the operations dashboard lists it.</summary>
/// <param name="Id">Where it is: <c>partition:offset</c>.</param>
/// <param name="AlertId">The topology's deterministic id (kind, account and the event that raised it).</param>
/// <param name="Kind">The <see cref="AlertKind"/> name.</param>
/// <param name="Severity">The <see cref="AlertSeverity"/> name.</param>
/// <param name="AccountId">The account concerned, when one is.</param>
/// <param name="Message">The readable description.</param>
/// <param name="Details">The machine-readable facts.</param>
/// <param name="Timestamp">When it was raised (UTC).</param>
internal sealed record AlertView(string Id, string AlertId, string Kind, string Severity, string? AccountId, string Message,
    IReadOnlyDictionary<string, string> Details, DateTimeOffset Timestamp);

/// <summary>
/// Reads the latest alerts of the alerts topic (<see cref="BrokerageOptions.AlertsTopic"/>), which the topology writes
/// in the transactions of the records that raised them: the tail of every partition (at most a given number of offsets
/// each, so the cost does not grow with the topic), committed records only, newest first. Like
/// <see cref="DeadLetterReader"/> it reads with its own group-less consumer, so it never moves any group's offsets.
/// </summary>
internal sealed class AlertReader(KafkaClientSettings clients, ISchemaRegistryClient registry, BrokerageOptions topics)
{
    private readonly string _topic = topics.AlertsTopic;
    private readonly Serde<BrokerageAlert> _alerts = AvroSerdes.For<BrokerageAlert>(registry);

    /// <summary>The alerts among the last <paramref name="perPartition"/> offsets of every partition, newest first
    /// (commit markers take offsets too, so a partition may yield fewer). A record that does not decode is listed
    /// with kind <c>Undecodable</c>, not dropped.</summary>
    /// <exception cref="TimeoutException">The topic could not be read within <paramref name="timeout"/>.</exception>
    internal IReadOnlyList<AlertView> ReadLatest(int perPartition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perPartition, 1);
        var config = clients.Consumer();
        config.GroupId = $"alert-reader-{Guid.NewGuid():N}";
        config.EnableAutoCommit = false;
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        config.EnablePartitionEof = true;
        using var consumer = new ConsumerBuilder<string, byte[]>(config).LoggingTo(clients.Log).Build();
        using var admin = new AdminClientBuilder(clients.Admin()).LoggingTo(clients.Log).Build();
        var (starts, ends) = TopicExtent.Read(admin, consumer, _topic, timeout);
        var alerts = new List<AlertView>();
        if (starts.Count == 0)
        {
            return alerts;
        }

        TopicRangeReader.Read(consumer, _topic, starts.Select(s => new TopicPartitionOffset(s.TopicPartition, Math.Max(s.Offset.Value, ends[s.Partition.Value] - perPartition))),
            ends, timeout, cancellationToken, result => alerts.Add(Decode(result)));
        return [.. alerts.OrderByDescending(a => a.Timestamp).ThenBy(a => a.Id, StringComparer.Ordinal)];
    }

    private AlertView Decode(ConsumeResult<string, byte[]> result)
    {
        var id = $"{result.Partition.Value}:{result.Offset.Value}";
        try
        {
            var alert = _alerts.Deserializer.Deserialize(result.Message.Value, result.Message.Value is null,
                new SerializationContext(MessageComponentType.Value, result.Topic, result.Message.Headers));
            return new AlertView(id, alert.alertId, alert.kind.ToString(), alert.severity.ToString(), alert.accountId, alert.message,
                alert.details is null ? new Dictionary<string, string>() : new Dictionary<string, string>(alert.details), new DateTimeOffset(DateTime.SpecifyKind(alert.timestamp, DateTimeKind.Utc)));
        }
        catch (EventDeserializationException e)
        {
            return new AlertView(id, id, "Undecodable", nameof(AlertSeverity.ERROR), result.Message.Key, e.Message,
                new Dictionary<string, string>(), result.Message.Timestamp.UtcDateTime);
        }
    }
}
