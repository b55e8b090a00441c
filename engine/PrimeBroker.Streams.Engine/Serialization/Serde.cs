using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine;

/// <summary>
/// A serializer and deserializer pair for one type. The engine moves only bytes between tasks, stores and topics;
/// a serde is where a typed topology meets those bytes. It reuses Confluent.Kafka's <see cref="ISerializer{T}"/> and
/// <see cref="IDeserializer{T}"/>, so any Confluent serializer (Avro, JSON, Protobuf) plugs in unchanged.
/// </summary>
/// <remarks>Both halves must be safe to call from the stream thread that owns a task; they are never called concurrently
/// for the same task.</remarks>
public sealed class Serde<T>
{
    public Serde(ISerializer<T> serializer, IDeserializer<T> deserializer)
    {
        Serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        Deserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
    }

    public ISerializer<T> Serializer { get; }

    public IDeserializer<T> Deserializer { get; }
}
