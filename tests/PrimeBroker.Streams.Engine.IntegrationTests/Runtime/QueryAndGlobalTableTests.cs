using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>Interactive-query metadata and global tables on the embedded cluster.</summary>
public sealed class QueryAndGlobalTableTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task KeyMetadataNamesTheOwningPartitionAndThisInstanceAsHost()
    {
        await using var scenario = new CountScenario();
        var app = await scenario.StartAsync("a", tune: c => c with { ApplicationServer = "127.0.0.1:8080" });
        scenario.Produce(100);
        await Eventually.True(() => scenario.CountsMatch(app), s_wait, () => scenario.Describe(app));

        var metadata = app.QueryMetadataForKey(CountScenario.Store, "ACC-0001", Serializers.Utf8);

        Assert.Equal(Partitioning.ForKey("ACC-0001"u8, scenario.Partitions), metadata.Partition);
        Assert.True(metadata.IsLocal);
        Assert.Equal("127.0.0.1:8080", metadata.ActiveHost);
    }

    [Fact]
    public async Task EveryInstanceNamesTheOwnerOfAKeyFromTheOthersAnnouncements()
    {
        await using var scenario = new CountScenario();
        var a = await scenario.StartAsync("a", tune: c => c with { ApplicationServer = "127.0.0.1:1001" });
        var b = await scenario.StartAsync("b", tune: c => c with { ApplicationServer = "127.0.0.1:1002" });
        await Eventually.True(() => a.State == StreamsState.Running && b.State == StreamsState.Running && a.ActiveTasks.Count > 0 && b.ActiveTasks.Count > 0
                                    && a.ActiveTasks.Count + b.ActiveTasks.Count == scenario.Partitions, s_wait, () => scenario.Describe(a, b));
        var keys = Enumerable.Range(0, 20).Select(i => $"ACC-{i:D4}").ToList();
        string Owner(string key) => a.ActiveTasks.Any(t => t.Partition == Partitioning.ForKey(System.Text.Encoding.UTF8.GetBytes(key), scenario.Partitions))
            ? "127.0.0.1:1001" : "127.0.0.1:1002";

        await Eventually.True(() => keys.All(k => a.QueryMetadataForKey(CountScenario.Store, k, Serializers.Utf8).ActiveHost == Owner(k)
                                                  && b.QueryMetadataForKey(CountScenario.Store, k, Serializers.Utf8).ActiveHost == Owner(k)),
            s_wait, () => string.Join(", ", keys.Select(k => $"{k}: owner {Owner(k)}, a says {HostOf(a, k)}, b says {HostOf(b, k)}")));
        // a's own announcement reaches its directory asynchronously, like b's; wait for both before comparing.
        await Eventually.True(() => a.Instances().Count == 2, s_wait, () => $"a knows [{string.Join(", ", a.Instances().Keys)}]");
        Assert.Equal(["127.0.0.1:1001", "127.0.0.1:1002"], a.Instances().Keys.Order());

        // a leaves: once b owns every partition, both directories say so.
        await a.StopAsync();
        await Eventually.True(() => b.ActiveTasks.Count == scenario.Partitions && keys.All(k => b.QueryMetadataForKey(CountScenario.Store, k, Serializers.Utf8).ActiveHost == "127.0.0.1:1002"),
            s_wait, () => scenario.Describe(b));
    }

    [Fact]
    public async Task KeyMetadataSerializesTheKeyAgainstTheSourceTopicAsTheProducerDid()
    {
        await using var scenario = new CountScenario();
        var app = await scenario.StartAsync("a", tune: c => c with { ApplicationServer = "127.0.0.1:8080" });
        await Eventually.True(() => app.State == StreamsState.Running, s_wait, () => scenario.Describe(app));
        var serializer = new TopicDependentSerializer();

        foreach (var key in Enumerable.Range(0, 20).Select(i => $"ACC-{i:D4}"))
        {
            // Where a murmur2 producer of the source topic put the key, with this serializer's bytes for that topic.
            var placed = Partitioning.ForKey(serializer.Serialize(key, new SerializationContext(MessageComponentType.Key, scenario.Input)), scenario.Partitions);
            Assert.Equal(placed, app.QueryMetadataForKey(CountScenario.Store, key, serializer).Partition);
        }
    }

    [Fact]
    public async Task AGlobalTableIsRestoredFromEveryPartitionAndFollowedWhileRunning()
    {
        await using var scenario = new CountScenario();
        var prices = ClusterProbe.UniqueTopic("prices");
        scenario.Cluster.CreateTopic(prices, 3, 3);
        ClusterProbe.Produce(scenario.Cluster.BootstrapServers, prices, Enumerable.Range(0, 30).Select(i => ($"INS-{i}", $"{i}.00")));

        var builder = new StreamsBuilder();
        var table = builder.GlobalTable(prices, Consumed.With(Serdes.String, Serdes.String), "prices-store");
        builder.Stream(scenario.Input, Consumed.With(Serdes.String, Serdes.String))
            .ProcessValues(() => new PriceLookup(table.QueryableStoreName), [])
            .To(scenario.Output);
        await using var app = new StreamsApplication(builder.Build(), scenario.Config("a"));
        await app.StartAsync();

        var store = app.Store<string, string>("prices-store");
        Assert.Equal(30, store.All().Count());
        Assert.Equal("7.00", store.Get("INS-7"));

        ClusterProbe.Produce(scenario.Cluster.BootstrapServers, prices, [("INS-7", "7.50")]);
        await Eventually.True(() => store.Get("INS-7") == "7.50", s_wait, () => $"INS-7 is {store.Get("INS-7")}");

        ClusterProbe.Produce(scenario.Cluster.BootstrapServers, scenario.Input, [("ACC-1", "INS-7")]);
        var enriched = ClusterProbe.ConsumeFromBeginning(scenario.Cluster.BootstrapServers, scenario.Output, 1);
        Assert.Equal("INS-7@7.50", Assert.Single(enriched).Message.Value);
    }

    private sealed class PriceLookup(string storeName) : IProcessor<string, string, string, string>
    {
        private IProcessorContext<string, string> _context = null!;
        private IKeyValueStore<string, string> _prices = null!;

        public void Init(IProcessorContext<string, string> context)
        {
            _context = context;
            _prices = context.GetStateStore<string, string>(storeName);
        }

        public void Process(Record<string, string> record) =>
            _context.Forward(record.WithValue($"{record.Value}@{_prices.Get(record.Value)}"));
    }

    private static string? HostOf(StreamsApplication app, string key)
    {
        try
        {
            return app.QueryMetadataForKey(CountScenario.Store, key, Serializers.Utf8).ActiveHost;
        }
        catch (PrimeBroker.Streams.Engine.Errors.StoreUnavailableException ex)
        {
            return $"unavailable ({ex.Message})";
        }
    }

    /// <summary>Bytes that depend on the topic, as a registry-backed serializer's do (its schema id comes from the
    /// topic's subject).</summary>
    private sealed class TopicDependentSerializer : ISerializer<string>
    {
        public byte[] Serialize(string data, SerializationContext context) => System.Text.Encoding.UTF8.GetBytes($"{context.Topic}/{data}");
    }
}
