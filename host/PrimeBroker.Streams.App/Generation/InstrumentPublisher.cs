using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.App.Generation;

/// <summary>Writes instrument reference data and prices to the instrument topic
/// (<see cref="BrokerageOptions.InstrumentEventsTopic"/>), keyed by instrument id with murmur2 placement like Java
/// clients. Thread-safe.</summary>
internal sealed class InstrumentPublisher : IDisposable
{
    private readonly IProducer<string, InstrumentUpdated> _producer;
    private readonly string _topic;

    /// <summary>A publisher on <paramref name="clients"/> writing to <paramref name="topics"/>' instrument topic.</summary>
    internal InstrumentPublisher(KafkaClientSettings clients, ISchemaRegistryClient registry, BrokerageOptions topics)
    {
        _topic = topics.InstrumentEventsTopic;
        _producer = new ProducerBuilder<string, InstrumentUpdated>(ProducerConfig(clients))
            .SetKeySerializer(Serializers.Utf8)
            .SetValueSerializer(AvroSerdes.For<InstrumentUpdated>(registry).Serializer)
            .LoggingTo(clients.Log)
            .Build();
    }

    /// <summary>The producer's config: the pass-through client settings plus idempotence and Java-compatible placement.</summary>
    internal static ProducerConfig ProducerConfig(KafkaClientSettings clients)
    {
        var config = clients.Producer();
        config.EnableIdempotence = true;
        config.Partitioner = Partitioner.Murmur2Random;
        config.LingerMs = 5;
        return config;
    }

    /// <summary>Writes <paramref name="instruments"/> and waits until all are acknowledged.</summary>
    internal async Task PublishAsync(IEnumerable<InstrumentUpdated> instruments, CancellationToken cancellationToken)
    {
        var sends = instruments.Select(i => _producer.ProduceAsync(_topic,
            new Message<string, InstrumentUpdated> { Key = i.instrumentId, Value = i }, cancellationToken)).ToList();
        await Task.WhenAll(sends).ConfigureAwait(false);
    }

    /// <summary>Seeds the generator's <paramref name="count"/> instruments at their base prices.</summary>
    internal Task SeedAsync(int count, CancellationToken cancellationToken) =>
        PublishAsync(Enumerable.Range(0, count).Select(i => InstrumentCatalog.Instrument(i)), cancellationToken);

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
