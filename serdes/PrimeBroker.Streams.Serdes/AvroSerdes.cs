using Avro.Specific;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Serdes.Internal;

namespace PrimeBroker.Streams.Serdes;

/// <summary>
/// Builds Avro serdes in the Confluent wire format for the contract's generated record types.
/// </summary>
/// <remarks>
/// <para>Wire format of every value, byte by byte:</para>
/// <list type="bullet">
/// <item><description>byte 0: magic byte, always 0;</description></item>
/// <item><description>bytes 1-4: the writer schema's registry id, a 32-bit big-endian signed integer;</description></item>
/// <item><description>bytes 5..end: the record in Avro binary encoding, written with that schema.</description></item>
/// </list>
/// <para>Subjects follow the TopicRecord strategy: <c>&lt;topic&gt;-&lt;record full name&gt;</c>, e.g.
/// <c>trade-events-PrimeBroker.Streams.Contracts.TradeCreated</c>, so each record type on a shared topic evolves
/// under its own compatibility check.</para>
/// <para>Serializers are Confluent's <c>AvroSerializer&lt;T&gt;</c> run synchronously; they throw
/// <see cref="ArgumentNullException"/> for a null record and let registry errors (<see cref="SchemaRegistryException"/>,
/// e.g. 409 for an incompatible schema) through. Deserializers read the schema id, fetch the writer schema from the
/// registry once per id, pick the target class by the writer's record full name and decode with schema resolution;
/// they throw only <see cref="EventDeserializationException"/>. Every serde is safe to share between threads; the
/// first use of a schema makes a blocking registry call, later uses are served from caches.</para>
/// </remarks>
public static class AvroSerdes
{
    /// <summary>A serde for one generated record type.</summary>
    /// <param name="registry">The registry client, usually a <c>CachedSchemaRegistryClient</c>; not disposed by the serde.</param>
    /// <param name="options">Settings; null for defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public static Serde<TRecord> For<TRecord>(ISchemaRegistryClient registry, AvroSerdeOptions? options = null)
        where TRecord : class, ISpecificRecord, new()
    {
        ArgumentNullException.ThrowIfNull(registry);
        options ??= new AvroSerdeOptions();
        options.Validate();
        return new Serde<TRecord>(
            new SpecificRecordSerializer<TRecord>(registry, options),
            new SpecificRecordDeserializer<TRecord>(registry, [RecordReader.For<TRecord>()]));
    }

    /// <summary>
    /// A serde for the trade-events topic, which carries <see cref="TradeCreated"/>, <see cref="TradeAmended"/> and
    /// <see cref="TradeCancelled"/>. Deserializing returns an instance of one of those three; any other record type
    /// fails with <see cref="DeserializationFailureReason.UnexpectedRecordType"/>, and serializing another type throws
    /// <see cref="ArgumentException"/>.
    /// </summary>
    /// <inheritdoc cref="For{TRecord}" path="/param"/>
    public static Serde<ISpecificRecord> ForTradeEvents(ISchemaRegistryClient registry, AvroSerdeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        options ??= new AvroSerdeOptions();
        options.Validate();
        return new Serde<ISpecificRecord>(
            new MultiRecordSerializer(
                [
                    MultiRecordSerializer.Entry<TradeCreated>(registry, options),
                    MultiRecordSerializer.Entry<TradeAmended>(registry, options),
                    MultiRecordSerializer.Entry<TradeCancelled>(registry, options),
                ]),
            new SpecificRecordDeserializer<ISpecificRecord>(
                registry,
                [RecordReader.For<TradeCreated>(), RecordReader.For<TradeAmended>(), RecordReader.For<TradeCancelled>()]));
    }
}
