using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>A record that fails the transaction every time it is processed must not livelock the thread.</summary>
public sealed class DeterministicErrorTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ARecordTooLargeToProduceStopsItsTaskAfterABoundedNumberOfAbortsAndTheOthersCommit()
    {
        await using var scenario = new CountScenario();
        var builder = new StreamsBuilder();
        var stream = builder.Stream(scenario.Input, Consumed.With(Serdes.String, Serdes.String));
        stream.GroupByKey().Count(Materialized<string, long>.As(CountScenario.Store));
        // One input maps to an output above librdkafka's message.max.bytes (1,000,000): Produce refuses it, every time.
        stream.MapValues(v => v == "trade-7" ? new string('x', 2_000_000) : v).To(scenario.Output);
        var app = await scenario.StartAsync("a", builder.Build());
        scenario.Produce(200);
        var poisoned = new Processing.TaskId(0, Partitioning.ForKey(System.Text.Encoding.UTF8.GetBytes("ACC-0007"), scenario.Partitions));

        await Eventually.True(() => app.Health.Tasks.Any(t => t.TaskId == poisoned && t.State == TaskHealthState.Failed), s_wait, () => scenario.Describe(app));
        Assert.Contains(app.Errors, e => e.Contains("aborted the transaction 3 times", StringComparison.Ordinal));
        // The task is marked failed just before the thread aborts its last attempt: wait for that abort, then check the bound.
        await Eventually.True(() => app.Metrics.AbortsTotal >= 3, s_wait, () => $"aborts {app.Metrics.AbortsTotal}");
        Assert.InRange(app.Metrics.AbortsTotal, 3, 10);

        // The other tasks commit everything; the stopped one holds none of its input (nothing skipped silently).
        var others = scenario.Expected.Where(e => Partitioning.ForKey(System.Text.Encoding.UTF8.GetBytes(e.Key), scenario.Partitions) != poisoned.Partition).ToList();
        await Eventually.True(() => others.All(e => CountScenario.Counts(app).GetValueOrDefault(e.Key) == e.Value), s_wait, () => scenario.Describe(app));
        Assert.Equal(StreamsHealthStatus.Failed, app.Health.Status);
    }
}
