using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.App.Tests.Cluster;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Tests.Streams;

/// <summary><c>Streams:RocksDb</c> reaches the engine's RocksDB memory settings; the defaults are the engine's; sizes
/// below the engine's minimum are refused at start naming the key.</summary>
public sealed class RocksDbMemoryOptionsTests
{
    private static readonly Dictionary<string, string?> s_cluster = new()
    {
        ["Kafka:BootstrapServers"] = "broker-1.example:9092",
        ["SchemaRegistry:Url"] = "https://registry.example",
    };

    [Fact]
    public void TheDefaultsAreTheEnginesBoundedSizes()
    {
        using var services = ClientSettingsTests.Services(s_cluster);

        var config = StreamsFactory.Config(services);

        Assert.True(config.RocksDbMemoryBound);
        Assert.Equal(StreamsConfig.DefaultRocksDbBlockCacheBytes, config.RocksDbBlockCacheBytes);
        Assert.Equal(StreamsConfig.DefaultRocksDbWriteBufferBytes, config.RocksDbWriteBufferBytes);
    }

    [Fact]
    public void ConfiguredSizesAndTheSwitchReachTheStreamsConfig()
    {
        using var services = ClientSettingsTests.Services(s_cluster.Concat(new Dictionary<string, string?>
        {
            ["Streams:RocksDb:Bounded"] = "false",
            ["Streams:RocksDb:BlockCacheBytes"] = "268435456",
            ["Streams:RocksDb:WriteBufferBytes"] = "134217728",
        }));

        var config = StreamsFactory.Config(services);

        Assert.False(config.RocksDbMemoryBound);
        Assert.Equal(256L << 20, config.RocksDbBlockCacheBytes);
        Assert.Equal(128L << 20, config.RocksDbWriteBufferBytes);
        config.Validate();
    }

    [Fact]
    public void ASizeBelowOneMebibyteIsRefusedNamingTheKey()
    {
        using var services = ClientSettingsTests.Services(s_cluster.Append(new("Streams:RocksDb:WriteBufferBytes", "1000")));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StreamsOptions>>().Value);

        Assert.Contains("Streams:RocksDb:WriteBufferBytes", error.Message);
    }
}
