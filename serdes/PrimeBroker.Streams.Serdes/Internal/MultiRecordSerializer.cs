using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;

namespace PrimeBroker.Streams.Serdes.Internal;

/// <summary>Serializes any of a fixed set of record classes, each with its own <see cref="SpecificRecordSerializer{TRecord}"/>.</summary>
internal sealed class MultiRecordSerializer : ISerializer<ISpecificRecord>
{
    private readonly Dictionary<Type, ISerializer<ISpecificRecord>> _byType;

    public MultiRecordSerializer(IEnumerable<KeyValuePair<Type, ISerializer<ISpecificRecord>>> entries) =>
        _byType = new Dictionary<Type, ISerializer<ISpecificRecord>>(entries);

    public static KeyValuePair<Type, ISerializer<ISpecificRecord>> Entry<TRecord>(
        ISchemaRegistryClient registry, AvroSerdeOptions options)
        where TRecord : class, ISpecificRecord =>
        new(typeof(TRecord), new Upcast<TRecord>(new SpecificRecordSerializer<TRecord>(registry, options)));

    public byte[] Serialize(ISpecificRecord data, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!_byType.TryGetValue(data.GetType(), out ISerializer<ISpecificRecord>? serializer))
        {
            string expected = string.Join(", ", _byType.Keys.Select(type => type.Name).Order(StringComparer.Ordinal));
            throw new ArgumentException($"{data.GetType().FullName} is not written to this topic; expected one of: {expected}.", nameof(data));
        }

        return serializer.Serialize(data, context);
    }

    private sealed class Upcast<TRecord>(ISerializer<TRecord> inner) : ISerializer<ISpecificRecord>
        where TRecord : class, ISpecificRecord
    {
        public byte[] Serialize(ISpecificRecord data, SerializationContext context) => inner.Serialize((TRecord)data, context);
    }
}
