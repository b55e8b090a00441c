using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine;

/// <summary>
/// A serializer and deserializer pair for one type. The engine moves only bytes between tasks, stores and topics;
/// a serde is where a typed topology meets those bytes. It reuses Confluent.Kafka's <see cref="ISerializer{T}"/> and
/// <see cref="IDeserializer{T}"/>, so any Confluent serializer (Avro, JSON, Protobuf) plugs in unchanged.
/// </summary>
/// <remarks>Both halves must be safe to call from the stream thread that owns a task; they are never called concurrently
/// for the same task. One serde may serve several tasks, threads and topologies at once, so shared state inside it
/// must be thread-safe. The serialization context names the topic written or read: the source or sink topic for
/// records, the changelog topic for store keys and values (the store's name for a store without changelog, the topic
/// for a global store). Sinks do not pass null keys and values to the serializer (they are written as null), and
/// sources call the deserializer with <c>isNull</c> set for them. A store key must not serialize to null.</remarks>
/// <typeparam name="T">The type serialized.</typeparam>
public sealed class Serde<T>
{
    /// <summary>Pairs a serializer with a deserializer of the same format.</summary>
    /// <param name="serializer">Writes <typeparamref name="T"/> as bytes.</param>
    /// <param name="deserializer">Reads what <paramref name="serializer"/> wrote.</param>
    /// <exception cref="ArgumentNullException">Either argument is null.</exception>
    public Serde(ISerializer<T> serializer, IDeserializer<T> deserializer)
    {
        Serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        Deserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
    }

    /// <summary>Writes values as bytes; never null.</summary>
    public ISerializer<T> Serializer { get; }

    /// <summary>Reads values from bytes; never null.</summary>
    public IDeserializer<T> Deserializer { get; }
}
