using System.Text;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>Every output to a topic the topology reads back (a repartition topic) names the input record that caused
/// it, so repeats after a crash are recognisable; outputs to other topics carry no origin.</summary>
public sealed class OutputOriginTests
{
    private const string Repartition = "test-app-by-value-repartition";

    [Fact]
    public void EachRepartitionedOutputCarriesTheSourceRecordAndItsIndexAsOrigin()
    {
        using var driver = new TopologyTestDriver(CountByValue());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        input.PipeInput("k", "a");
        input.PipeInput("k", "b");

        var origins = driver.CreateOutputTopic(Repartition, Serdes.String, Serdes.String).ReadRecordsToList().Select(Origin).ToList();

        Assert.Equal(["in:0:0:0", "in:0:1:0"], origins);
    }

    [Fact]
    public void OutputsToTopicsTheTopologyDoesNotReadBackCarryNoOrigin()
    {
        using var driver = new TopologyTestDriver(CountByValue());
        driver.CreateInputTopic("in", Serdes.String, Serdes.String).PipeInput("k", "a");

        var outputs = driver.CreateOutputTopic("out", Serdes.String, Serdes.Int64).ReadRecordsToList();

        Assert.Equal(["(none)"], outputs.Select(Origin));
    }

    [Fact]
    public void ReprocessingAfterACrashRepeatsTheSameOrigins()
    {
        using var driver = new TopologyTestDriver(CountByValue(), new TopologyTestDriverOptions { AutoCommit = false, EmulateEmbeddedClusterLimits = true });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        input.PipeInput("k", "a");
        driver.Commit();
        input.PipeInput("k", "b");

        driver.SimulateCrash(CrashPoint.WhileProcessing);
        driver.Commit();

        // The mock-like cluster shows the aborted attempt's repartition output and the redone ones (the stateless
        // upstream task has no marker to keep its position, so it redoes both records): same origins, same values.
        var outputs = driver.CreateOutputTopic(Repartition, Serdes.String, Serdes.String).ReadRecordsToList();
        Assert.Equal(["in:0:0:0:a", "in:0:1:0:b", "in:0:0:0:a", "in:0:1:0:b"], outputs.Select(r => $"{Origin(r)}:{r.Value}"));
        Assert.Equal(1, driver.GetKeyValueStore<string, long>("counts").Get("b"));
    }

    private static Topology CountByValue()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String, Serdes.String))
            .GroupBy((_, v) => v, Grouped<string, string>.With(Serdes.String, Serdes.String) with { Name = "by-value" })
            .Count(Materialized<string, long>.As("counts"))
            .ToStream()
            .To("out", Produced.With(Serdes.String, Serdes.Int64));
        return builder.Build();
    }

    private static string Origin<TKey, TValue>(TestRecord<TKey, TValue> record) =>
        record.Headers is not null && record.Headers.TryGetLastBytes("pbs.origin", out var bytes) ? Encoding.UTF8.GetString(bytes) : "(none)";
}
