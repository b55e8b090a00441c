using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Dsl;

/// <summary>Each stateless DSL operator, run through the test driver from "in" to "out".</summary>
public sealed class StatelessOperatorTests
{
    private static readonly Consumed<string, string> s_strings = Consumed<string, string>.With(Serdes.String, Serdes.String);

    [Fact]
    public void FilterKeepsMatchingRecords()
    {
        var result = Run(s => s.Filter((k, v) => k.StartsWith('a') && v != "drop"), ("a1", "x"), ("b1", "y"), ("a2", "drop"), ("a3", "z"));

        Assert.Equal([Kv("a1", "x"), Kv("a3", "z")], result);
    }

    [Fact]
    public void FilterNotDropsMatchingRecords()
    {
        var result = Run(s => s.FilterNot((k, _) => k.StartsWith('a')), ("a1", "x"), ("b1", "y"), ("c1", "z"));

        Assert.Equal([Kv("b1", "y"), Kv("c1", "z")], result);
    }

    [Fact]
    public void MapValuesWithValueOnlyMapper()
    {
        var result = Run(s => s.MapValues(v => v.ToUpperInvariant()), ("k", "abc"));

        Assert.Equal([Kv("k", "ABC")], result);
    }

    [Fact]
    public void MapValuesWithKeyAndValueMapper()
    {
        var result = Run(s => s.MapValues((k, v) => $"{k}:{v}"), ("k", "abc"));

        Assert.Equal([Kv("k", "k:abc")], result);
    }

    [Fact]
    public void MapValuesToAnotherTypeWritesWithProducedSerde()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).MapValues(v => (long)v.Length).To("out", Produced<string, long>.With(Serdes.String, Serdes.Int64));
        using var driver = new TopologyTestDriver(builder.Build());
        var output = driver.CreateOutputTopic("out", Serdes.String, Serdes.Int64);

        driver.CreateInputTopic("in", Serdes.String, Serdes.String).PipeInput("k", "four");

        Assert.Equal(Kv("k", 4L), output.ReadKeyValue());
    }

    [Fact]
    public void ToWithoutSerdeAfterTypeChangeFailsAtDefinition()
    {
        var builder = new StreamsBuilder();
        var mapped = builder.Stream("in", s_strings).MapValues(v => (long)v.Length);

        Assert.Throws<TopologyException>(() => mapped.To("out"));
    }

    [Fact]
    public void FlatMapValuesEmitsOneRecordPerElementWithTheSameKey()
    {
        var result = Run(s => s.FlatMapValues((_, v) => v.Split(' ')), ("k", "a b c"), ("e", ""));

        Assert.Equal([Kv("k", "a"), Kv("k", "b"), Kv("k", "c"), Kv("e", "")], result);
    }

    [Fact]
    public void MapChangesKeyAndValue()
    {
        var result = Run(s => s.Map((k, v) => new KeyValuePair<string, string>(v, k)), ("k", "v"));

        Assert.Equal([Kv("v", "k")], result);
    }

    [Fact]
    public void SelectKeyChangesOnlyTheKey()
    {
        var result = Run(s => s.SelectKey((k, v) => $"{v}-{k}"), ("k", "v"));

        Assert.Equal([Kv("v-k", "v")], result);
    }

    [Fact]
    public void PeekSeesEveryRecordAndForwardsItUnchanged()
    {
        var seen = new List<KeyValuePair<string, string>>();

        var result = Run(s => s.Peek((k, v) => seen.Add(Kv(k, v))), ("a", "1"), ("b", "2"));

        Assert.Equal([Kv("a", "1"), Kv("b", "2")], seen);
        Assert.Equal(seen, result);
    }

    [Fact]
    public void OutputKeepsTimestampAndHeaders()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).MapValues(v => v + "!").To("out");
        using var driver = new TopologyTestDriver(builder.Build());
        var output = driver.CreateOutputTopic("out", Serdes.String, Serdes.String);

        driver.CreateInputTopic("in", Serdes.String, Serdes.String).PipeInput("k", "v", 12345, new Confluent.Kafka.Headers { { "h", [7] } });

        var record = output.ReadRecord();
        Assert.Equal(12345, record.Timestamp);
        Assert.True(record.Headers!.TryGetLastBytes("h", out var h));
        Assert.Equal([7], h);
    }

    [Fact]
    public void SplitRoutesToFirstMatchingBranchAndDefault()
    {
        var builder = new StreamsBuilder();
        var branches = builder.Stream("in", s_strings).Split("split")
            .Branch((_, v) => v.StartsWith('a'), Branched.As("a"))
            .Branch((_, v) => v.StartsWith("ab") || v.StartsWith('b'), Branched.As("b"))
            .DefaultBranch();
        branches["a"].To("out-a");
        branches["b"].To("out-b");
        branches["default"].To("out-default");
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        foreach (var v in new[] { "apple", "abacus", "banana", "cherry" })
        {
            input.PipeInput(v, v);
        }

        Assert.Equal(["a", "b", "default"], branches.Keys.Order());
        Assert.Equal(["apple", "abacus"], Values(driver, "out-a"));
        Assert.Equal(["banana"], Values(driver, "out-b"));
        Assert.Equal(["cherry"], Values(driver, "out-default"));
    }

    [Fact]
    public void SplitWithNamedDefaultBranch()
    {
        var builder = new StreamsBuilder();
        var branches = builder.Stream("in", s_strings).Split().Branch((_, v) => v == "x", Branched.As("x")).DefaultBranch(Branched.As("rest"));
        branches["rest"].To("out-rest");
        branches["x"].To("out-x");
        using var driver = new TopologyTestDriver(builder.Build());

        driver.CreateInputTopic("in", Serdes.String, Serdes.String).PipeInput("k", "y");

        Assert.Equal(["y"], Values(driver, "out-rest"));
        Assert.Empty(Values(driver, "out-x"));
    }

    [Fact]
    public void SplitWithoutDefaultBranchDropsUnmatchedRecords()
    {
        var builder = new StreamsBuilder();
        var branches = builder.Stream("in", s_strings).Split().Branch((_, v) => v == "x", Branched.As("x")).NoDefaultBranch();
        branches["x"].To("out-x");
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        input.PipeInput("k", "y");
        input.PipeInput("k", "x");

        Assert.Single(branches);
        Assert.Equal(["x"], Values(driver, "out-x"));
    }

    private static List<KeyValuePair<string, string>> Run(Func<IKStream<string, string>, IKStream<string, string>> chain, params (string Key, string Value)[] records)
    {
        var builder = new StreamsBuilder();
        chain(builder.Stream("in", s_strings)).To("out");
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        foreach (var (key, value) in records)
        {
            input.PipeInput(key, value);
        }

        return driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadKeyValuesToList().ToList();
    }

    private static List<string> Values(TopologyTestDriver driver, string topic) =>
        driver.CreateOutputTopic(topic, Serdes.String, Serdes.String).ReadRecordsToList().Select(r => r.Value).ToList();

    private static KeyValuePair<TKey, TValue> Kv<TKey, TValue>(TKey key, TValue value) => new(key, value);
}
