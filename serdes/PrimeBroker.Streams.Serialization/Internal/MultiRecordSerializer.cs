using Avro.Specific;
using Confluent.Kafka;

namespace PrimeBroker.Streams.Serialization.Internal;

/// <summary>Serializes any of a fixed set of record classes, each with its own <see cref="SpecificRecordSerializer{TRecord}"/>.</summary>
internal sealed class MultiRecordSerializer : ISerializer<ISpecificRecord>
{
    private readonly Dictionary<Type, ISerializer<ISpecificRecord>> _byType;

    public MultiRecordSerializer(IEnumerable<KeyValuePair<Type, ISerializer<ISpecificRecord>>> entries) =>
        _byType = new Dictionary<Type, ISerializer<ISpecificRecord>>(entries);

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

    /// <summary>Presents a serializer of one record class as a serializer of <see cref="ISpecificRecord"/>.</summary>
    internal sealed class Upcast<TRecord>(ISerializer<TRecord> inner) : ISerializer<ISpecificRecord>
        where TRecord : class, ISpecificRecord
    {
        public byte[] Serialize(ISpecificRecord data, SerializationContext context) => inner.Serialize((TRecord)data, context);
    }
}
