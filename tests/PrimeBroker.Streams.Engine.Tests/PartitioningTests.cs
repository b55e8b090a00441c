using System.Text;

namespace PrimeBroker.Streams.Engine.Tests;

/// <summary>Java-compatible key partitioning: vectors from Kafka's own UtilsTest and from Java producers.</summary>
public sealed class PartitioningTests
{
    [Theory]
    [InlineData("ACC-0001", 20, 5)]
    [InlineData("ACC-0002", 20, 8)]
    [InlineData("account-001", 20, 15)]
    [InlineData("ACC-0001", 4, 1)]
    [InlineData("ACC-0002", 4, 0)]
    [InlineData("account-001", 4, 3)]
    public void ForKeyMatchesJavaDefaultPartitioner(string key, int partitions, int expected)
    {
        Assert.Equal(expected, Partitioning.ForKey(Encoding.UTF8.GetBytes(key), partitions));
    }

    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2MatchesKafkaUtilsTestVectors(string input, int expected)
    {
        Assert.Equal(expected, Partitioning.Murmur2(Encoding.UTF8.GetBytes(input)));
    }

    [Fact]
    public void Murmur2TreatsBytesAsUnsigned()
    {
        // 'été' has bytes > 0x7F; Java masks each (signed) byte with 0xff.
        Assert.Equal(-2101193575, Partitioning.Murmur2(Encoding.UTF8.GetBytes("été")));
    }

    [Fact]
    public void ForKeyRejectsZeroPartitions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioning.ForKey([1], 0));
    }

    [Fact]
    public void ForKeyIsNeverNegative()
    {
        for (var i = 0; i < 1000; i++)
        {
            var p = Partitioning.ForKey(BitConverter.GetBytes(i * 7919), 7);
            Assert.InRange(p, 0, 6);
        }
    }
}
