using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Dsl;

/// <summary>Which DSL chains need a repartition topic, and what <see cref="Topology.Describe"/> shows.</summary>
public sealed class TopologyShapeTests
{
    private static readonly Consumed<string, string> s_strings = Consumed<string, string>.With(Serdes.String, Serdes.String);

    [Fact]
    public void DescribeNamesSubTopologiesSourcesSinksAndStores()
    {
        var builder = new StreamsBuilder();
        builder.GlobalTable("rates", s_strings, "rates-store");
        builder.Stream("orders", s_strings)
            .GroupBy((_, v) => v, Grouped<string, string>.With(Serdes.String, Serdes.String) with { Name = "by-value" })
            .Count(Materialized<string, long>.As("order-counts"))
            .ToStream()
            .To("order-counts-out", Produced<string, long>.With(Serdes.String, Serdes.Int64));

        var description = builder.Build().Describe();

        Assert.Contains("Sub-topology: 0", description);
        Assert.Contains("Sub-topology: 1", description);
        Assert.Contains("Source: KSTREAM-SOURCE-", description);
        Assert.Contains("(topics: [orders])", description);
        Assert.Contains("Sink: by-value-repartition-sink (topic: <app>-by-value-repartition)", description);
        Assert.Contains("Source: by-value-repartition-source (topics: [<app>-by-value-repartition])", description);
        Assert.Contains("(stores: [order-counts])", description);
        Assert.Contains("(topic: order-counts-out)", description);
        Assert.Contains("Global store: rates-store (topic: rates)", description);
        Assert.Contains("-->", description);
        Assert.Contains("<--", description);
    }

    [Fact]
    public void GroupByWithSelectorCreatesRepartitionTopicAndSecondSubTopology()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).GroupBy((_, v) => v, Grouped<string, string>.With(Serdes.String, Serdes.String) with { Name = "g" }).Count();

        var topology = builder.Build();

        Assert.Equal(["g-repartition"], topology.RepartitionTopics);
        Assert.Equal(2, topology.SubTopologies.Count);
        Assert.Equal(["in"], topology.SourceTopics);
    }

    [Fact]
    public void GroupByKeyWithoutKeyChangeCreatesNoRepartitionTopic()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).Filter((_, _) => true).MapValues(v => v + "!").GroupByKey().Count();

        var topology = builder.Build();

        Assert.Empty(topology.RepartitionTopics);
        Assert.Single(topology.SubTopologies);
    }

    public static TheoryData<string> KeyChangingOperators => new() { "Map", "SelectKey", "Process" };

    [Theory]
    [MemberData(nameof(KeyChangingOperators))]
    public void KeyChangingOperatorThenGroupByKeyRepartitions(string op)
    {
        var builder = new StreamsBuilder();
        var changed = KeyChange(builder.Stream("in", s_strings), op);
        changed.GroupByKey().Count();

        var topology = builder.Build();

        Assert.Single(topology.RepartitionTopics);
        Assert.Equal(2, topology.SubTopologies.Count);
    }

    [Theory]
    [MemberData(nameof(KeyChangingOperators))]
    public void KeyPreservingOperatorsAfterKeyChangeStillRepartition(string op)
    {
        var builder = new StreamsBuilder();
        KeyChange(builder.Stream("in", s_strings), op).Filter((_, _) => true).MapValues(v => v).Peek((_, _) => { }).GroupByKey().Count();

        Assert.Single(builder.Build().RepartitionTopics);
    }

    [Fact]
    public void PreservesPartitioningSkipsTheRepartitionTopic()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).SelectKey((k, _) => k + "/x").GroupByKey(new Grouped<string, string> { PreservesPartitioning = true }).Count();

        var topology = builder.Build();

        Assert.Empty(topology.RepartitionTopics);
        Assert.Single(topology.SubTopologies);
    }

    [Fact]
    public void ProcessValuesThenGroupByKeyDoesNotRepartition()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).ProcessValues(() => new UpperCase(), []).GroupByKey().Count();

        Assert.Empty(builder.Build().RepartitionTopics);
    }

    [Fact]
    public void SharedStoreJoinsProcessorsIntoOneSubTopology()
    {
        var builder = new StreamsBuilder();
        builder.AddStateStore(Stores.InMemoryKeyValueStore("shared", Serdes.String, Serdes.String));
        builder.Stream("a", s_strings).Process(() => new StoreCommandProcessor("shared"), ["shared"]).To("out-a");
        builder.Stream("b", s_strings).Process(() => new StoreCommandProcessor("shared"), ["shared"]).To("out-b");

        var topology = builder.Build();

        Assert.Single(topology.SubTopologies);
        Assert.Equal(["shared"], topology.SubTopologies[0].StoreNames);
    }

    [Fact]
    public void LoggedStoreNamesListsAggregateStores()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).GroupByKey().Count(Materialized<string, long>.As("c"));
        builder.AddStateStore(new KeyValueStoreBuilder<string, string>("cache", Serdes.String, Serdes.String, StoreKind.InMemory, LoggingEnabled: false));
        builder.Stream("other", s_strings).Process(() => new StoreCommandProcessor("cache"), ["cache"]).To("out");

        Assert.Equal(["c"], builder.Build().LoggedStoreNames);
    }

    internal static IKStream<string, string> KeyChange(IKStream<string, string> stream, string op) => op switch
    {
        "Map" => stream.Map((k, v) => new KeyValuePair<string, string>(v, k)),
        "SelectKey" => stream.SelectKey((_, v) => v),
        "Process" => stream.Process(() => new UpperCase(), []),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private sealed class UpperCase : IProcessor<string, string, string, string>
    {
        private IProcessorContext<string, string> _context = null!;

        public void Init(IProcessorContext<string, string> context) => _context = context;

        public void Process(Record<string, string> record) => _context.Forward(record.WithValue(record.Value.ToUpperInvariant()));
    }
}
