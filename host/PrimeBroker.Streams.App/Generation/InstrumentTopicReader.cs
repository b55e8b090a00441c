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
        consumer.Assign(starts);
        var deadline = DateTime.UtcNow + timeout;
        while (ends.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Reading '{topic}' took longer than {timeout}.");
            }

            // The position passes the end offset even when the last offsets are compacted away or are control records.
            foreach (var partition in ends.Keys.ToList())
            {
                if (consumer.Position(new TopicPartition(topic, partition)).Value >= ends[partition])
                {
                    ends.Remove(partition);
                }
            }

            if (ends.Count == 0 || consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } result)
            {
                continue;
            }

            if (result.Message.Value is { } bytes)
            {
                var record = deserializer.Deserialize(bytes, false, new SerializationContext(MessageComponentType.Value, topic, result.Message.Headers));
                latest[record.instrumentId] = record;
            }
            else
            {
                latest.Remove(result.Message.Key); // a tombstone
            }
        }

        return latest;
    }
}
