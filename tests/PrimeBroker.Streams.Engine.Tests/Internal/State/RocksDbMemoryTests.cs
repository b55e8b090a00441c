using PrimeBroker.Streams.Engine.Internal.State;

namespace PrimeBroker.Streams.Engine.Tests.Internal.State;

/// <summary>The memory settings of RocksDB in <see cref="StreamsConfig"/>: validated at start, and what reaches the shared
/// block cache and write-buffer manager.</summary>
public sealed class RocksDbMemoryTests
{
    private static readonly StreamsConfig s_valid = new() { ApplicationId = "app", BootstrapServers = "localhost:9092" };

    [Fact]
    public void TheDefaultsAreValidAndReachTheSharedCacheAndWriteBufferManager()
    {
        s_valid.Validate();

        using var memory = RocksDbMemory.For(s_valid);

        Assert.Equal(64L << 20, memory.BlockCacheBytes);
        Assert.Equal(32L << 20, memory.WriteBufferBytes);
        Assert.Equal(1L << 20, memory.FlushBytes);
        Assert.Equal(0, memory.WriteBufferUsage);
    }

    [Theory]
    [InlineData(nameof(StreamsConfig.RocksDbBlockCacheBytes), (1L << 20) - 1)]
    [InlineData(nameof(StreamsConfig.RocksDbBlockCacheBytes), 0)]
    [InlineData(nameof(StreamsConfig.RocksDbWriteBufferBytes), (1L << 20) - 1)]
    [InlineData(nameof(StreamsConfig.RocksDbWriteBufferBytes), -1)]
    [InlineData(nameof(StreamsConfig.RocksDbFlushBytes), (64L << 10) - 1)]
    [InlineData(nameof(StreamsConfig.RocksDbFlushBytes), 0)]
    public void ASettingBelowItsMinimumFailsValidationNamingIt(string setting, long value)
    {
        var config = setting switch
        {
            nameof(StreamsConfig.RocksDbBlockCacheBytes) => s_valid with { RocksDbBlockCacheBytes = value },
            nameof(StreamsConfig.RocksDbWriteBufferBytes) => s_valid with { RocksDbWriteBufferBytes = value },
            _ => s_valid with { RocksDbFlushBytes = value },
        };

        var error = Assert.Throws<ArgumentException>(config.Validate);

        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public void TheMinimumsAreValid()
    {
        var config = s_valid with { RocksDbBlockCacheBytes = 1L << 20, RocksDbWriteBufferBytes = 1L << 20, RocksDbFlushBytes = 64L << 10 };

        config.Validate();
        using var memory = RocksDbMemory.For(config);
        Assert.Equal(1L << 20, memory.BlockCacheBytes);
    }
}
