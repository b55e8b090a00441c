using Avro.Specific;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.Serialization.Tests.Fixtures;

/// <summary>A multi-record serde over the three trade records, as a topic carrying several record types uses it.</summary>
internal static class TradeEventsSerde
{
    public static Serde<ISpecificRecord> Create(ISchemaRegistryClient registry) =>
        AvroSerdes.ForAnyOf(registry,
            [AvroRecordType.Of<TradeCreated>(), AvroRecordType.Of<TradeAmended>(), AvroRecordType.Of<TradeCancelled>()]);
}
