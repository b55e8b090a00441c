using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
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
        // The reflection-based contracts the serializer's generic overloads fall back to, named so that
        // GetTypeInfo can hand them out once per serde.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static Serde<T> For<T>(Action<T>? checkOnRead = null)
        where T : class =>
        new(new Serializer<T>(), new Deserializer<T>(checkOnRead));

    /// <summary>The type's contract, looked up once per serde rather than on every call (the generic overloads
    /// taking <see cref="Options"/> resolve it each time); the same options, so the same bytes.</summary>
    private static JsonTypeInfo<T> InfoOf<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    private sealed class Serializer<T> : ISerializer<T>
    {
        private readonly JsonTypeInfo<T> _info = InfoOf<T>();

        public byte[] Serialize(T data, SerializationContext context) => JsonSerializer.SerializeToUtf8Bytes(data, _info);
    }

    private sealed class Deserializer<T>(Action<T>? checkOnRead) : IDeserializer<T>
        where T : class
    {
        private readonly JsonTypeInfo<T> _info = InfoOf<T>();

        public T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            if (isNull)
            {
                return null!;
            }

            T value;
            try
            {
                value = JsonSerializer.Deserialize(data, _info)
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
