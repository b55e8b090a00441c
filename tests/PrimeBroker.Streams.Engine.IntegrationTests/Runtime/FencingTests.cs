using Confluent.Kafka;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>Two instances must never share a state directory; a fenced thread gives its tasks up and rejoins.</summary>
public sealed class FencingTests
{
    private const short TxnOffsetCommit = 28;
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

    [Fact]
    public async Task AThreadFencedByTheGroupClosesItsTasksRejoinsAndStaysExact()
    {
        await using var scenario = new CountScenario();
        var app = await scenario.StartAsync("a");
        scenario.Produce(200);
        await Eventually.True(() => scenario.CountsMatch(app), s_wait, () => scenario.Describe(app));

        // The group says this member's generation is gone: its tasks belong to someone else now.
        scenario.Cluster.PushRequestErrors(TxnOffsetCommit, ErrorCode.IllegalGeneration);
        scenario.Produce(200, offset: 200);
        await Eventually.True(() => scenario.Logs.Recent(100).Contains("tasks moved; closing them and rejoining", StringComparison.Ordinal), s_wait,
            () => scenario.Describe(app));
        await Eventually.True(() => scenario.CountsMatch(app) && app.State == StreamsState.Running, s_wait, () => scenario.Describe(app));
        Assert.Empty(app.Errors);
    }
}
