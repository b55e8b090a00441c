using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>Two instances must never share a state directory. (A thread fenced by the group or by a newer producer:
/// <c>StreamThreadTests</c> in the engine's unit tests; a real zombie fenced on the embedded cluster: <see cref="ZombieTests"/>.)</summary>
public sealed class FencingTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ASecondInstanceOnTheSameStateDirectoryFailsAtStartWithTheReason()
    {
        await using var scenario = new CountScenario();
        var first = await scenario.StartAsync("a");
        scenario.Produce(100);
        await Eventually.True(() => scenario.CountsMatch(first), s_wait, () => scenario.Describe(first));

        // Before: the second started, took the same transactional ids and the two fenced each other forever.
        var second = new StreamsApplication(CountScenario.BuildTopology(scenario.Input, scenario.Output), scenario.Config("a"), scenario.Logs);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync());
        Assert.Contains("is in use by another instance", ex.Message, StringComparison.Ordinal);
        Assert.Equal(StreamsState.NotRunning, second.State);
        await second.DisposeAsync();

        await first.StopAsync();
        var restarted = await scenario.StartAsync("a");
        scenario.Produce(100, offset: 100);
        await Eventually.True(() => scenario.CountsMatch(restarted), s_wait, () => scenario.Describe(restarted));
    }
}
