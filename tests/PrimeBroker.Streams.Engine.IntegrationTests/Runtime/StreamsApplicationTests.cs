using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>The runtime on the embedded cluster: group membership, handover with state, restart, restore.</summary>
public sealed class StreamsApplicationTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CountsEveryRecordExactlyOnce()
    {
        await using var scenario = new CountScenario();
        var app = await scenario.StartAsync("a");
        scenario.Produce(2000);

        await Eventually.True(() => scenario.CountsMatch(app), s_wait, () => scenario.Describe(app));
        Assert.Equal(StreamsState.Running, app.State);
        Assert.Equal(4, app.ActiveTasks.Count);
    }

    [Fact]
    public async Task TwoStreamThreadsShareThePartitionsAndCountExactly()
    {
        await using var scenario = new CountScenario();
        var app = await scenario.StartAsync("a", tune: c => c with { NumStreamThreads = 2 });
        scenario.Produce(2000);

        await Eventually.True(() => scenario.CountsMatch(app) && app.State == StreamsState.Running, s_wait, () => scenario.Describe(app));
        Assert.Equal(4, app.ActiveTasks.Count);
    }

    [Fact]
    public async Task AtLeastOnceCountsEveryRecordWhenNothingFails()
    {
        await using var scenario = new CountScenario();
        var app = await scenario.StartAsync("a", tune: c => c with { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce });
        scenario.Produce(1000);

        await Eventually.True(() => scenario.CountsMatch(app), s_wait, () => scenario.Describe(app));
        await app.StopAsync();

        var restarted = await scenario.StartAsync("a", tune: c => c with { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce });
        scenario.Produce(20, offset: 1000);
        await Eventually.True(() => scenario.CountsMatch(restarted), s_wait, () => scenario.Describe(restarted));
        Assert.Equal(20, restarted.Metrics.ProcessedTotal);
    }

    [Fact]
    public async Task TwoInstancesSplitThePartitionsAndTakeOverEachOthersWithStateIntact()
    {
        await using var scenario = new CountScenario();
        var a = await scenario.StartAsync("a");
        scenario.Produce(1000);
        await Eventually.True(() => scenario.CountsMatch(a), s_wait, () => scenario.Describe(a));

        var b = await scenario.StartAsync("b");
        await Eventually.True(() => a.ActiveTasks.Count > 0 && b.ActiveTasks.Count > 0 && a.ActiveTasks.Count + b.ActiveTasks.Count == 4
                                    && a.State == StreamsState.Running && b.State == StreamsState.Running,
            s_wait, () => scenario.Describe(a, b));
        scenario.Produce(1000, offset: 1000);
        await Eventually.True(() => scenario.CountsMatch(a, b), s_wait, () => scenario.Describe(a, b));

        await a.StopAsync();
        await Eventually.True(() => b.ActiveTasks.Count == 4 && b.State == StreamsState.Running, s_wait, () => scenario.Describe(b));
        scenario.Produce(1000, offset: 2000);
        await Eventually.True(() => scenario.CountsMatch(b), s_wait, () => scenario.Describe(b));
        Assert.True(b.Metrics.RestoredTotal > 0, "b took a's tasks over, so it must have restored their changelogs");
    }

    [Fact]
    public async Task RestartResumesFromStoredOffsetsWithoutReprocessing()
    {
        await using var scenario = new CountScenario();
        var first = await scenario.StartAsync("a");
        scenario.Produce(1000);
        await Eventually.True(() => scenario.CountsMatch(first), s_wait, () => scenario.Describe(first));
        await first.StopAsync();

        var second = await scenario.StartAsync("a");
        scenario.Produce(50, offset: 1000);
        await Eventually.True(() => scenario.CountsMatch(second), s_wait, () => scenario.Describe(second));
        Assert.Equal(50, second.Metrics.ProcessedTotal);
        Assert.Equal(0, second.Metrics.RestoredTotal);
    }

    [Fact]
    public async Task DeletedLocalStateIsRestoredFromTheChangelog()
    {
        await using var scenario = new CountScenario();
        var first = await scenario.StartAsync("a");
        scenario.Produce(1000);
        await Eventually.True(() => scenario.CountsMatch(first), s_wait, () => scenario.Describe(first));
        await first.StopAsync();
        Directory.Delete(scenario.StateDir("a"), recursive: true);

        var second = await scenario.StartAsync("a");
        scenario.Produce(50, offset: 1000);
        await Eventually.True(() => scenario.CountsMatch(second), s_wait, () => scenario.Describe(second));
        Assert.Equal(50, second.Metrics.ProcessedTotal);
        Assert.True(second.Metrics.RestoredTotal > 0, "the wiped store must come back from its changelog");
    }
}
