using System.Text;
using Confluent.Kafka;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>The instruments the trades refer to: ids <c>INS-00000</c>.., five currencies, prices with two decimals.</summary>
internal sealed class InstrumentCatalog(int count)
{
    private static readonly string[] s_currencies = ["USD", "EUR", "GBP", "JPY", "CHF"];

    public int Count { get; } = count;

    public static IReadOnlyList<string> Currencies => s_currencies;

    public string Id(int instrument) => $"INS-{instrument:D5}";

    public string Currency(int instrument) => s_currencies[instrument % s_currencies.Length];

    /// <summary>10.00 to 999.99, fixed per instrument.</summary>
    public decimal Price(int instrument) => 10m + (instrument * 7919 % 99_000) / 100m;

    /// <summary>Publishes every instrument once (keyed by id, murmur2) and waits for the acknowledgements.</summary>
    public void Seed(string bootstrap, ISerializer<InstrumentUpdated> serializer)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(Sender.ProducerConfig(bootstrap)).Build();
        var context = new SerializationContext(MessageComponentType.Value, PrimeBrokerTopics.InstrumentEvents);
        var now = DateTime.UtcNow;
        for (var i = 0; i < Count; i++)
        {
            var value = serializer.Serialize(new InstrumentUpdated
            {
                instrumentId = Id(i),
                symbol = $"SYM{i}",
                currency = Currency(i),
                assetClass = AssetClass.EQUITY,
                price = Money.ToAvro(Price(i)),
                timestamp = now,
            }, context);
            producer.Produce(PrimeBrokerTopics.InstrumentEvents, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(Id(i)), Value = value });
        }

        if (producer.Flush(TimeSpan.FromSeconds(30)) > 0)
        {
            throw new InvalidOperationException("seeding instrument-events timed out.");
        }
    }

    /// <summary>The serializer the seed uses, for callers that hold a registry.</summary>
    public static ISerializer<InstrumentUpdated> SerializerFor(Confluent.SchemaRegistry.ISchemaRegistryClient registry) =>
        Serialization.AvroSerdes.For<InstrumentUpdated>(registry).Serializer;
}
