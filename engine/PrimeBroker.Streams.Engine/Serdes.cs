using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine;

/// <summary>Serdes for the primitive types; null payloads map to null / default.</summary>
public static class Serdes
{
    /// <summary>UTF-8 strings.</summary>
    public static Serde<string> String { get; } = new(Serializers.Utf8, Deserializers.Utf8);

    /// <summary>Big-endian 64-bit integers, the layout Java's LongSerializer uses.</summary>
    public static Serde<long> Int64 { get; } = new(Serializers.Int64, Deserializers.Int64);

    /// <summary>Big-endian 32-bit integers, the layout Java's IntegerSerializer uses.</summary>
    public static Serde<int> Int32 { get; } = new(Serializers.Int32, Deserializers.Int32);

    /// <summary>Raw bytes, passed through unchanged.</summary>
    public static Serde<byte[]> ByteArray { get; } = new(Serializers.ByteArray, Deserializers.ByteArray);
}
