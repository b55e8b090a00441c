using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Dsl;

public sealed class StreamsBuilderValidationTests
{
    private static readonly Consumed<string, string> s_strings = Consumed<string, string>.With(Serdes.String, Serdes.String);

    [Fact]
    public void RejectsProcessorThatNamesUnknownStore()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).Process(() => new StoreCommandProcessor("nope"), ["nope"]).To("out");

        var ex = Assert.Throws<TopologyException>(() => builder.Build());
        Assert.Contains("unknown store 'nope'", ex.Message);
    }

    [Fact]
    public void RejectsStoreNotConnectedToAnyProcessor()
    {
        var builder = new StreamsBuilder();
        builder.AddStateStore(Stores.InMemoryKeyValueStore("lonely", Serdes.String, Serdes.String));
        builder.Stream("in", s_strings).To("out");

        var ex = Assert.Throws<TopologyException>(() => builder.Build());
        Assert.Contains("'lonely'", ex.Message);
        Assert.Contains("not connected", ex.Message);
    }

    [Fact]
    public void RejectsTopicReadByTwoSources()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).To("out-1");
        builder.Stream("in", s_strings).To("out-2");

        var ex = Assert.Throws<TopologyException>(() => builder.Build());
        Assert.Contains("topic 'in' is read by two sources", ex.Message);
    }

    [Fact]
    public void RejectsSecondBuild()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).To("out");
        builder.Build();

        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void RejectsDuplicateNodeNameWhenTheNodeIsAdded()
    {
        var builder = new StreamsBuilder();
        var stream = builder.Stream("in", s_strings);
        stream.Filter((_, _) => true, name: "same");

        var ex = Assert.Throws<TopologyException>(() => stream.MapValues(v => v, name: "same"));
        Assert.Contains("'same' is used twice", ex.Message);
    }

    [Fact]
    public void RejectsSourceWithoutChildren()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings);

        Assert.Throws<TopologyException>(() => builder.Build());
    }

    [Fact]
    public void RejectsTwoBranchesWithOneName()
    {
        var builder = new StreamsBuilder();
        var split = builder.Stream("in", s_strings).Split().Branch((_, _) => true, Branched.As("a"));

        Assert.Throws<TopologyException>(() => split.Branch((_, _) => false, Branched.As("a")));
    }

    [Fact]
    public void RejectsGroupingAfterTypeChangeWithoutSerdes()
    {
        var builder = new StreamsBuilder();
        var mapped = builder.Stream("in", s_strings).Map((k, v) => new KeyValuePair<long, string>(k.Length, v));

        var ex = Assert.Throws<TopologyException>(() => mapped.GroupByKey());
        Assert.Contains("Grouped.KeySerde", ex.Message);
    }

    [Fact]
    public void DriverRejectsSourcesThatAreNotCoPartitioned()
    {
        var builder = new StreamsBuilder();
        builder.Stream(["left", "right"], s_strings).To("out");
        var topology = builder.Build();
        var options = new TopologyTestDriverOptions { Partitions = new Dictionary<string, int> { ["left"] = 2, ["right"] = 4 } };

        var ex = Assert.Throws<TopologyException>(() => new TopologyTestDriver(topology, options));
        Assert.Contains("not co-partitioned", ex.Message);
        Assert.Contains("left (2 partitions)", ex.Message);
        Assert.Contains("right (4 partitions)", ex.Message);
    }

    [Fact]
    public void DriverAcceptsCoPartitionedSourcesAndRunsOneTaskPerPartition()
    {
        var builder = new StreamsBuilder();
        builder.Stream(["left", "right"], s_strings).GroupByKey().Count(Materialized<string, long>.As("counts"));
        var options = new TopologyTestDriverOptions { Partitions = new Dictionary<string, int> { ["left"] = 3, ["right"] = 3 } };
        using var driver = new TopologyTestDriver(builder.Build(), options);

        driver.CreateInputTopic("left", Serdes.String, Serdes.String).PipeInput("k", "1");
        driver.CreateInputTopic("right", Serdes.String, Serdes.String).PipeInput("k", "2");

        Assert.Equal(2, driver.GetKeyValueStore<string, long>("counts").Get("k"));
        Assert.Equal(3, driver.TasksWithStore("counts").Count());
    }
}
