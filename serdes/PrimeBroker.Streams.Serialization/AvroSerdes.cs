using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Serialization.Internal;

namespace PrimeBroker.Streams.Serialization;

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
    /// A serde for a topic that carries several record types, such as a stream of commands and events. Deserializing
    /// returns an instance of the class whose record full name matches the writer schema's; any other record type fails
    /// with <see cref="DeserializationFailureReason.UnexpectedRecordType"/>. Serializing a class that is not listed
    /// throws <see cref="ArgumentException"/>.
    /// </summary>
    /// <param name="registry">The registry client, usually a <c>CachedSchemaRegistryClient</c>; not disposed by the serde.</param>
    /// <param name="recordTypes">The record types the topic carries, each once; at least one.</param>
    /// <param name="options">Settings; null for defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="recordTypes"/> is empty or names a record twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public static Serde<ISpecificRecord> ForAnyOf(ISchemaRegistryClient registry, IEnumerable<AvroRecordType> recordTypes,
        AvroSerdeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(recordTypes);
        options ??= new AvroSerdeOptions();
        options.Validate();
        AvroRecordType[] types = [.. recordTypes];
        if (types.Length == 0)
        {
            throw new ArgumentException("At least one record type is required.", nameof(recordTypes));
        }

        string? duplicate = types.GroupBy(type => type.FullName).FirstOrDefault(group => group.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"Record type {duplicate} is listed twice.", nameof(recordTypes));
        }

        return new Serde<ISpecificRecord>(
            new MultiRecordSerializer(types.Select(type =>
                new KeyValuePair<Type, ISerializer<ISpecificRecord>>(type.ClrType, type.CreateSerializer(registry, options)))),
            new SpecificRecordDeserializer<ISpecificRecord>(registry, [.. types.Select(type => type.Reader)]));
    }
}
