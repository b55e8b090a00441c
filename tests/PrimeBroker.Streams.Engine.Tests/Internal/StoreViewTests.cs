using System.Text;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>The one store view the runtime and the test driver share serializes keys as the store's writer does.</summary>
public sealed class StoreViewTests
{
    [Fact]
    public void DriverViewSerializesKeysAgainstTheChangelogTopicAsTheStoreWriterDoes()
    {
        var topics = new List<string>();
        var keys = new Serde<string>(new RecordingSerializer(topics), Serdes.String.Deserializer);
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String, Serdes.String)).GroupByKey(Grouped.With(keys, Serdes.String))
            .Count(Materialized<string, long>.As("counts").WithKeySerde(keys));
        using var driver = new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { DefaultPartitions = 4 });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        for (var i = 0; i < 20; i++)
        {
            input.PipeInput($"k{i}", "v");
        }

        topics.Clear();
        var all = driver.GetKeyValueStore<string, long>("counts").All().ToList();

        Assert.Equal(20, all.Count);
        Assert.NotEmpty(topics);
        Assert.All(topics, t => Assert.Equal("test-app-counts-changelog", t));
    }

    [Fact]
    public void SerdeTopicIsTheGlobalTopicTheChangelogOrTheStoreName()
    {
        var builder = new StreamsBuilder();
        builder.GlobalTable("rates", Consumed.With(Serdes.String, Serdes.String), "rates-store");
        var stream = builder.Stream("in", Consumed.With(Serdes.String, Serdes.String));
        stream.GroupByKey().Count(Materialized<string, long>.As("logged"));
        builder.AddStateStore(Stores.InMemoryKeyValueStore("unlogged", Serdes.String, Serdes.String) with { LoggingEnabled = false });
        stream.Process(() => new NoOp(), ["unlogged"]);
        var topology = builder.Build();

        Assert.Equal("rates", StoreView<string, string>.SerdeTopic(topology, "app", "rates-store"));
        Assert.Equal("app-logged-changelog", StoreView<string, long>.SerdeTopic(topology, "app", "logged"));
        Assert.Equal("unlogged", StoreView<string, string>.SerdeTopic(topology, "app", "unlogged"));
    }

    [Fact]
    public void AReadWhoseTaskClosesMidReadFailsAsUnavailableInsteadOfAnsweringWithoutThatTask()
    {
        var topology = CountTopology();
        var view = StoreView<string, long>.Create(topology, "app", "counts", () => [new ClosedReader()]);

        var ex = Assert.Throws<PrimeBroker.Streams.Engine.Errors.StoreUnavailableException>(() => view.All().ToList());
        Assert.Equal("counts", ex.StoreName);
        Assert.Throws<PrimeBroker.Streams.Engine.Errors.StoreUnavailableException>(() => view.Get("k"));
    }

    [Fact]
    public void AViewThatIsNotAvailableNowSaysWhyAndAsksForARetry()
    {
        var reason = (string?)"the instance is Rebalancing";
        var view = StoreView<string, long>.Create(CountTopology(), "app", "counts", () => [], () => reason);

        var ex = Assert.Throws<PrimeBroker.Streams.Engine.Errors.StoreUnavailableException>(() => view.Get("k"));
        Assert.Contains("Rebalancing", ex.Message);
        Assert.Contains("Retry", ex.Message);

        reason = null;
        Assert.False(view.TryGet("k", out _));
    }

    private static Topology CountTopology()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String, Serdes.String)).GroupByKey().Count(Materialized<string, long>.As("counts"));
        return builder.Build();
    }

    private sealed class ClosedReader : IBytesReader
    {
        public string Name => "counts";

        public long ApproximateCount => throw new ObjectDisposedException(Name);

        public byte[]? Get(byte[] key) => throw new ObjectDisposedException(Name);

        public IReadOnlyList<KeyValuePair<byte[], byte[]>> Range(byte[]? from, byte[]? to) => throw new ObjectDisposedException(Name);
    }

    private sealed class NoOp : IProcessor<string, string, string, string>
    {
        public void Init(IProcessorContext<string, string> context)
        {
        }

        public void Process(Record<string, string> record)
        {
        }
    }

    private sealed class RecordingSerializer(List<string> topics) : ISerializer<string>
    {
        public byte[] Serialize(string data, SerializationContext context)
        {
            topics.Add(context.Topic);
            return Encoding.UTF8.GetBytes(data);
        }
    }
}
