using System.Text;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Dsl;

public sealed class SinkPartitioningTests
{
    private static readonly Consumed<string, string> s_strings = Consumed<string, string>.With(Serdes.String, Serdes.String);

    [Fact]
    public void DefaultPartitioningIsJavaMurmur2OfTheSerializedKey()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).To("out");
        var options = new TopologyTestDriverOptions { Partitions = new Dictionary<string, int> { ["out"] = 4 } };
        using var driver = new TopologyTestDriver(builder.Build(), options);
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        for (var i = 0; i < 40; i++)
        {
            input.PipeInput($"ACC-{i:D4}", "v");
        }

        var records = driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadRecordsToList();
        Assert.Equal(40, records.Count);
        Assert.All(records, r => Assert.Equal(Partitioning.ForKey(Encoding.UTF8.GetBytes(r.Key), 4), r.Partition));
        Assert.Equal(4, records.Select(r => r.Partition).Distinct().Count());
    }

    [Fact]
    public void CustomPartitionerChoosesThePartition()
    {
        var calls = new List<(string Topic, int Count)>();
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).To("out", new Produced<string, string>
        {
            Partitioner = (topic, key, _, count) =>
            {
                calls.Add((topic, count));
                return key.Length % count;
            },
        });
        var options = new TopologyTestDriverOptions { Partitions = new Dictionary<string, int> { ["out"] = 3 } };
        using var driver = new TopologyTestDriver(builder.Build(), options);
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        foreach (var key in new[] { "a", "bb", "ccc", "dddd" })
        {
            input.PipeInput(key, "v");
        }

        var records = driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadRecordsToList();
        Assert.All(records, r => Assert.Equal(r.Key.Length % 3, r.Partition));
        Assert.All(calls, c => Assert.Equal(("out", 3), c));
        Assert.Equal(4, calls.Count);
    }

    [Fact]
    public void CustomPartitionerReturningNullFallsBackToMurmur2()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).To("out", new Produced<string, string> { Partitioner = (_, _, _, _) => null });
        var options = new TopologyTestDriverOptions { Partitions = new Dictionary<string, int> { ["out"] = 20 } };
        using var driver = new TopologyTestDriver(builder.Build(), options);

        driver.CreateInputTopic("in", Serdes.String, Serdes.String).PipeInput("account-001", "v");

        Assert.Equal(15, driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadRecord().Partition);
    }
}
