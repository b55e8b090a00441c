using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.App.Generation;

/// <summary>Reads the instrument topic to its end at the time of the call and returns the latest record of every
/// instrument (what the topology's global table holds), for a price update that keeps the rest of the reference data.</summary>
internal sealed class InstrumentTopicReader(KafkaClientSettings clients, ISchemaRegistryClient registry, BrokerageOptions topics)
{
    /// <summary>The latest record per instrument id.</summary>
    /// <exception cref="TimeoutException">The topic could not be read within <paramref name="timeout"/>.</exception>
    internal IReadOnlyDictionary<string, InstrumentUpdated> ReadLatest(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var topic = topics.InstrumentEventsTopic;
        var config = clients.Consumer();
        config.GroupId = $"instruments-reader-{Guid.NewGuid():N}";
        config.EnableAutoCommit = false;
        var deserializer = AvroSerdes.For<InstrumentUpdated>(registry).Deserializer;
        using var consumer = new ConsumerBuilder<string, byte[]>(config).LoggingTo(clients.Log).Build();
        using var admin = new AdminClientBuilder(clients.Admin()).LoggingTo(clients.Log).Build();
        var (starts, ends) = TopicExtent.Read(admin, consumer, topic, timeout);

        var latest = new Dictionary<string, InstrumentUpdated>(StringComparer.Ordinal);
        TopicRangeReader.Read(consumer, topic, starts, ends, timeout, cancellationToken, result =>
        {
            if (result.Message.Value is { } bytes)
            {
                var record = deserializer.Deserialize(bytes, false, new SerializationContext(MessageComponentType.Value, topic, result.Message.Headers));
                latest[record.instrumentId] = record;
            }
            else
            {
                latest.Remove(result.Message.Key); // a tombstone
            }
        });

        return latest;
    }
}
