using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Dsl;

/// <summary>GroupByKey / GroupBy with Count, Reduce and Aggregate, and the table's ToStream.</summary>
public sealed class AggregationTests
{
    private static readonly Consumed<string, string> s_strings = Consumed<string, string>.With(Serdes.String, Serdes.String);
    private static readonly Consumed<string, long> s_longs = Consumed<string, long>.With(Serdes.String, Serdes.Int64);

    [Fact]
    public void CountEmitsRunningCountPerKeyThroughToStream()
    {
        var builder = new StreamsBuilder();
        var table = builder.Stream("in", s_strings).GroupByKey().Count(Materialized<string, long>.As("counts"));
        table.ToStream().To("out", Produced<string, long>.With(Serdes.String, Serdes.Int64));
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        input.PipeInput("a", "1");
        input.PipeInput("b", "1");
        input.PipeInput("a", "1");

        var output = driver.CreateOutputTopic("out", Serdes.String, Serdes.Int64).ReadKeyValuesToList();
        Assert.Equal([Kv("a", 1L), Kv("b", 1L), Kv("a", 2L)], output);
        Assert.Equal("counts", table.QueryableStoreName);
        Assert.Equal(2, driver.GetKeyValueStore<string, long>("counts").Get("a"));
    }

    [Fact]
    public void AggregationSkipsNullKeysAndValues()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).GroupByKey().Count(Materialized<string, long>.As("counts"));
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        input.PipeInput("a", null!);
        input.PipeInput(null!, "v");
        input.PipeInput("a", "v");

        Assert.Equal([Kv("a", 1L)], driver.GetKeyValueStore<string, long>("counts").All());
    }

    [Fact]
    public void ReduceCombinesValuesPerKey()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).GroupByKey().Reduce((a, b) => a + "+" + b, Materialized<string, string>.As("joined"))
            .ToStream().To("out");
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        input.PipeInput("k", "x");
        input.PipeInput("k", "y");
        input.PipeInput("j", "z");

        Assert.Equal(["x", "x+y", "z"], driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadRecordsToList().Select(r => r.Value));
        Assert.Equal("x+y", driver.GetKeyValueStore<string, string>("joined").Get("k"));
    }

    [Fact]
    public void ReduceOfValueTypeStartsWithTheFirstValue()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_longs).GroupByKey().Reduce((a, b) => a * b, Materialized<string, long>.As("product"));
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.Int64);

        input.PipeInput("k", 3);
        input.PipeInput("k", 5);

        Assert.Equal(15, driver.GetKeyValueStore<string, long>("product").Get("k"));
    }

    [Fact]
    public void AggregateStartsFromTheInitializer()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings)
            .GroupByKey()
            .Aggregate(() => "[", (_, v, agg) => agg + v, Materialized<string, string>.As("agg").WithValueSerde(Serdes.String))
            .ToStream().To("out");
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        input.PipeInput("k", "a");
        input.PipeInput("k", "b");

        Assert.Equal(["[a", "[ab"], driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadRecordsToList().Select(r => r.Value));
    }

    [Fact]
    public void AggregateOfValueTypeStartsFromANonZeroInitializer()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_longs)
            .GroupByKey()
            .Aggregate(() => 100L, (_, v, agg) => agg + v, Materialized<string, long>.As("balance").WithValueSerde(Serdes.Int64));
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.Int64);

        input.PipeInput("acc", 5);
        input.PipeInput("acc", -7);

        Assert.Equal(98, driver.GetKeyValueStore<string, long>("balance").Get("acc"));
    }

    [Fact]
    public void AggregateWithoutValueSerdeIsRejected()
    {
        var builder = new StreamsBuilder();
        var grouped = builder.Stream("in", s_strings).GroupByKey();

        Assert.Throws<TopologyException>(() => grouped.Aggregate(() => 0L, (_, _, a) => a + 1, Materialized<string, long>.As("x")));
    }

    [Fact]
    public void CountsEachKeyAcrossFourPartitions()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).GroupByKey().Count(Materialized<string, long>.As("counts"));
        var options = new TopologyTestDriverOptions { DefaultPartitions = 4 };
        using var driver = new TopologyTestDriver(builder.Build(), options);
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        var expected = new Dictionary<string, long>();

        for (var i = 0; i < 200; i++)
        {
            var key = $"key-{i % 13}";
            input.PipeInput(key, "v");
            expected[key] = expected.GetValueOrDefault(key) + 1;
        }

        var store = driver.GetKeyValueStore<string, long>("counts");
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), store.All().OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.All(expected, e => Assert.Equal(e.Value, store.Get(e.Key)));
        var tasks = driver.TasksWithStore("counts").ToList();
        Assert.Equal(4, tasks.Count);
        Assert.True(tasks.Count(t => t.Stores["counts"].Range(null, null).Count > 0) > 1, "keys should spread over several tasks");
    }

    [Fact]
    public void StoreViewGetFindsAValueTypeKeyInAnyPartition()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).GroupByKey().Count(Materialized<string, long>.As("counts"));
        using var driver = new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { DefaultPartitions = 4 });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        // account-001 hashes to partition 3 of 4, so the tasks of partitions 0..2 do not have it.
        input.PipeInput("account-001", "v");
        input.PipeInput("account-001", "v");

        Assert.Equal(2, driver.GetKeyValueStore<string, long>("counts").Get("account-001"));
    }

    [Fact]
    public void GroupByRepartitionsThroughInternalTopicAndCountsExactly()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings)
            .GroupBy((_, v) => v, Grouped<string, string>.With(Serdes.String, Serdes.String) with { Name = "by-region" })
            .Count(Materialized<string, long>.As("region-counts"))
            .ToStream().To("out", Produced<string, long>.With(Serdes.String, Serdes.Int64));
        using var driver = new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { DefaultPartitions = 4 });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        var regions = new[] { "emea", "apac", "amer", "latam", "nordics" };
        var expected = new Dictionary<string, long>();

        for (var i = 0; i < 100; i++)
        {
            var region = regions[i * 7 % regions.Length];
            input.PipeInput($"account-{i}", region);
            expected[region] = expected.GetValueOrDefault(region) + 1;
        }

        var store = driver.GetKeyValueStore<string, long>("region-counts");
        Assert.All(expected, e => Assert.Equal(e.Value, store.Get(e.Key)));
        var repartition = driver.CreateOutputTopic("test-app-by-region-repartition", Serdes.String, Serdes.String).ReadRecordsToList();
        Assert.Equal(100, repartition.Count);
        Assert.All(repartition, r => Assert.Equal(Partitioning.ForKey(System.Text.Encoding.UTF8.GetBytes(r.Key), 4), r.Partition));
        var finalCounts = driver.CreateOutputTopic("out", Serdes.String, Serdes.Int64).ReadKeyValuesToMap();
        Assert.Equal(expected.OrderBy(e => e.Key), finalCounts.OrderBy(e => e.Key));
    }

    [Fact]
    public void SelectKeyThenGroupByKeyCountsByTheNewKey()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).SelectKey((_, v) => v).GroupByKey().Count(Materialized<string, long>.As("c"));
        using var driver = new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { DefaultPartitions = 2 });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        for (var i = 0; i < 10; i++)
        {
            input.PipeInput($"k{i}", i % 2 == 0 ? "even" : "odd");
        }

        var store = driver.GetKeyValueStore<string, long>("c");
        Assert.Equal(5, store.Get("even"));
        Assert.Equal(5, store.Get("odd"));
    }

    private static KeyValuePair<TKey, TValue> Kv<TKey, TValue>(TKey key, TValue value) => new(key, value);
}
