namespace PrimeBroker.Streams.Engine;

/// <summary>
/// Java-compatible key partitioning: <c>(murmur2(key) &amp; 0x7fffffff) % partitions</c>, as Kafka's Java clients and
/// kafkajs compute it. librdkafka's default (consistent_random, CRC32) disagrees with them, which would split one
/// account's records over two tasks when Java and .NET producers share a topic.
/// </summary>
public static class Partitioning
{
    /// <summary>The partition for a serialized key. Pure; safe from any thread.</summary>
    /// <param name="key">The key bytes as written to Kafka.</param>
    /// <param name="partitionCount">The topic's partition count.</param>
    /// <returns>A partition in [0, <paramref name="partitionCount"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitionCount"/> is zero or negative.</exception>
    public static int ForKey(ReadOnlySpan<byte> key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return (Murmur2(key) & 0x7fffffff) % partitionCount;
    }

    /// <summary>Kafka's murmur2 (seed 0x9747b28c), byte for byte as <c>org.apache.kafka.common.utils.Utils.murmur2</c>.</summary>
    /// <param name="data">The bytes to hash.</param>
    /// <returns>The 32-bit hash, as Java's signed int.</returns>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = 0x9747b28c ^ (uint)length;
        var length4 = length / 4;
        for (var i = 0; i < length4; i++)
        {
            var i4 = i * 4;
            var k = (uint)(data[i4] | data[i4 + 1] << 8 | data[i4 + 2] << 16 | data[i4 + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        var rest = length % 4;
        var tail = length & ~3;
        if (rest == 3) { h ^= (uint)data[tail + 2] << 16; }
        if (rest >= 2) { h ^= (uint)data[tail + 1] << 8; }
        if (rest >= 1)
        {
            h ^= data[tail];
            h *= m;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
