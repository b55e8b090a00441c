using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.App.Generation;

/// <summary>Writes instrument reference data and prices to <see cref="PrimeBrokerTopics.InstrumentEvents"/>, keyed by
/// instrument id with murmur2 placement like Java clients. Thread-safe.</summary>
internal sealed class InstrumentPublisher : IDisposable
{
    private readonly IProducer<string, InstrumentUpdated> _producer;

    internal InstrumentPublisher(string bootstrapServers, ISchemaRegistryClient registry)
    {
        _producer = new ProducerBuilder<string, InstrumentUpdated>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = 5,
        })
            .SetKeySerializer(Serializers.Utf8)
            .SetValueSerializer(AvroSerdes.For<InstrumentUpdated>(registry).Serializer)
            .Build();
    }

    /// <summary>Writes <paramref name="instruments"/> and waits until all are acknowledged.</summary>
    internal async Task PublishAsync(IEnumerable<InstrumentUpdated> instruments, CancellationToken cancellationToken)
    {
        var sends = instruments.Select(i => _producer.ProduceAsync(PrimeBrokerTopics.InstrumentEvents,
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
