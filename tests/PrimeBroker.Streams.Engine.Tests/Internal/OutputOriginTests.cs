using System.Text;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>Every output names the input record that caused it, so repeats after a crash are recognisable.</summary>
public sealed class OutputOriginTests
{
    [Fact]
    public void EachOutputCarriesTheSourceRecordAndItsIndexAsOrigin()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String, Serdes.String))
            .FlatMapValues((_, v) => new[] { v + "-1", v + "-2" })
            .To("out");
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        input.PipeInput("k", "a");
        input.PipeInput("k", "b");

        var origins = driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadRecordsToList().Select(Origin).ToList();

        Assert.Equal(["in:0:0:0", "in:0:0:1", "in:0:1:0", "in:0:1:1"], origins);
    }

    [Fact]
    public void ReprocessingAfterACrashRepeatsTheSameOrigins()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String, Serdes.String))
            .GroupByKey()
            .Count(Materialized<string, long>.As("counts"))
            .ToStream()
            .To("out", Produced.With(Serdes.String, Serdes.Int64));
        using var driver = new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { AutoCommit = false, EmulateEmbeddedClusterLimits = true });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        input.PipeInput("k", "a");
        driver.Commit();
        input.PipeInput("k", "b");

        driver.SimulateCrash(CrashPoint.WhileProcessing);
        driver.Commit();

        // The mock-like cluster shows the aborted attempt's output and the redone one: same origin, same value.
        var outputs = driver.CreateOutputTopic("out", Serdes.String, Serdes.Int64).ReadRecordsToList();
        Assert.Equal(["in:0:0:0:1", "in:0:1:0:2", "in:0:1:0:2"], outputs.Select(r => $"{Origin(r)}:{r.Value}"));
    }

    private static string Origin<TKey, TValue>(TestRecord<TKey, TValue> record) =>
        record.Headers!.TryGetLastBytes("pbs.origin", out var bytes) ? Encoding.UTF8.GetString(bytes) : "(none)";
}
