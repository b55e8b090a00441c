using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>No stall is silent: the health API and the watchdog report a thread that stops making progress.</summary>
public sealed class HealthTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AThreadStuckInsideACallIsReportedDegradedAndLoggedThenRecovers()
    {
        await using var scenario = new CountScenario();
        using var gate = new ManualResetEventSlim(initialState: true);
        var builder = new StreamsBuilder();
        builder.Stream(scenario.Input, Consumed.With(Serdes.String, Serdes.String))
            .Peek((_, _) => gate.Wait())
            .GroupByKey()
            .Count(Materialized<string, long>.As(CountScenario.Store));
        var app = await scenario.StartAsync("a", builder.Build(), c => c with { StallTimeout = TimeSpan.FromSeconds(1) });
        scenario.Produce(100);
        await Eventually.True(() => scenario.CountsMatch(app) && app.Health.Status == StreamsHealthStatus.Running, s_wait, () => scenario.Describe(app));
        Assert.True(app.Health.IsReady);

        gate.Reset();
        scenario.Produce(10, offset: 100);
        // A stalled task (its input waits, its position does not move) may be reported a moment before the stuck
        // call is: both make the instance Degraded, so wait for the stuck call to be named.
        await Eventually.True(() => app.Health.Status == StreamsHealthStatus.Degraded
            && app.Health.Problems.Any(p => p.Contains("stuck in 'process'", StringComparison.Ordinal)), s_wait, () => scenario.Describe(app));
        var health = app.Health;
        Assert.False(health.IsReady);
        await Eventually.True(() => scenario.Logs.Recent().Contains("stuck in 'process'", StringComparison.Ordinal), s_wait,
            () => "the watchdog logged no warning: " + scenario.Logs.Recent());

        gate.Set();
        await Eventually.True(() => scenario.CountsMatch(app) && app.Health.Status == StreamsHealthStatus.Running, s_wait, () => scenario.Describe(app));
        Assert.Empty(app.Health.Problems);
        Assert.Equal(4, app.Health.Tasks.Count(t => t.State == TaskHealthState.Running));
    }
}
