using System.Text.Json;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>
/// Serdes for the topology's internal store values: UTF-8 JSON (decimals keep every digit; System.Text.Json writes and
/// reads <see cref="decimal"/> exactly). Store values never leave the application's changelogs, so they need no schema
/// registry; the public contract stays Avro. An optional check runs on every value read back (the second half of the
/// pair assertions: what was checked before writing is checked again after reading).
/// </summary>
internal static class JsonSerde
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Serde<T> For<T>(Action<T>? checkOnRead = null)
        where T : class =>
        new(new Serializer<T>(), new Deserializer<T>(checkOnRead));

    private sealed class Serializer<T> : ISerializer<T>
    {
        public byte[] Serialize(T data, SerializationContext context) => JsonSerializer.SerializeToUtf8Bytes(data, Options);
    }

    private sealed class Deserializer<T>(Action<T>? checkOnRead) : IDeserializer<T>
        where T : class
    {
        public T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            if (isNull)
            {
                return null!;
            }

            T value;
            try
            {
                value = JsonSerializer.Deserialize<T>(data, Options)
                    ?? throw new BrokerageInvariantException($"A {typeof(T).Name} in store '{context.Topic}' is JSON null.");
            }
            catch (JsonException e)
            {
                throw new BrokerageInvariantException($"A {typeof(T).Name} in '{context.Topic}' cannot be read: {e.Message}", e);
            }

            checkOnRead?.Invoke(value);
            return value;
        }
    }
}
