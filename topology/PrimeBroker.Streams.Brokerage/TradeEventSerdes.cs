using Avro.Specific;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Brokerage;

/// <summary>The serdes of the prime broker's topics that carry more than one record type.</summary>
public static class TradeEventSerdes
{
    /// <summary>
    /// The record types <see cref="PrimeBrokerTopics.TradeEvents"/> carries: the three trade events and the commands
    /// <see cref="ResolveSequenceGap"/> (the operator's) and <see cref="ConfirmSettlement"/> (the operator's or a custodian
    /// feed's), keyed by account like the trades, so they are processed in their order.
    /// Any other record type is a bad record.
    /// </summary>
    public static IReadOnlyList<AvroRecordType> TradeEventTypes { get; } =
    [
        AvroRecordType.Of<TradeCreated>(),
        AvroRecordType.Of<TradeAmended>(),
        AvroRecordType.Of<TradeCancelled>(),
        AvroRecordType.Of<ResolveSequenceGap>(),
        AvroRecordType.Of<ConfirmSettlement>(),
    ];

    /// <summary>
    /// A serde for <see cref="PrimeBrokerTopics.TradeEvents"/>: deserializing returns a <see cref="TradeCreated"/>,
    /// <see cref="TradeAmended"/>, <see cref="TradeCancelled"/>, <see cref="ResolveSequenceGap"/> or <see cref="ConfirmSettlement"/> (any version the registry can resolve into the current
    /// class); every other record type fails with <see cref="DeserializationFailureReason.UnexpectedRecordType"/>.
    /// </summary>
    /// <param name="registry">The registry client; not disposed by the serde.</param>
    /// <param name="options">Settings; null for defaults.</param>
    public static Serde<ISpecificRecord> ForTradeEvents(ISchemaRegistryClient registry, AvroSerdeOptions? options = null) =>
        AvroSerdes.ForAnyOf(registry, TradeEventTypes, options);
}
