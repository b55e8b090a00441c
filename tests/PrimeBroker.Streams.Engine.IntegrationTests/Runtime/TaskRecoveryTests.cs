using PrimeBroker.Streams.Engine.IntegrationTests.Support;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>A task that cannot start for a permanent cause stays visibly failed (the application's state and health say
/// so), and a real consumer resumes its partition when a rebalance creates it again. (Transient causes retried with a
/// doubling backoff, on a fake clock: <c>StreamThreadTests</c> in the engine's unit tests.)</summary>
public sealed class TaskRecoveryTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);
    private static readonly TaskId s_task = new(0, 1);

    [Fact]
    public async Task APermanentFailureStaysFailedAndTheTaskRecreatedByARebalanceReceivesRecords()
    {
        await using var scenario = new CountScenario();
        var attempts = 0;
        var app = await scenario.StartAsync("a", tune: c => c with
        {
            TaskStartFault = id => id == s_task && Interlocked.Increment(ref attempts) == 1
                ? new InvalidOperationException("injected: changelogs disagree")
                : null,
        });
        scenario.Produce(400);
        await Eventually.True(() => app.State == StreamsState.Error && app.Health.Status == StreamsHealthStatus.Failed, s_wait, () => scenario.Describe(app));
        Assert.Contains(app.Health.Tasks, t => t.TaskId == s_task && t.State == TaskHealthState.Failed);
        Assert.False(scenario.CountsMatch(app));

        // A rebalance moves the failed task away and back: the task is created again on the partition this consumer
        // paused, and must be resumed (librdkafka keeps an application pause across re-assignment).
        var b = await scenario.StartAsync("b");
        await Eventually.True(() => b.ActiveTasks.Count > 0, s_wait, () => scenario.Describe(app, b));
        await b.StopAsync();
        await Eventually.True(() => scenario.CountsMatch(app) && app.ActiveTasks.Count == 4, s_wait, () => $"attempts {attempts}: " + scenario.Describe(app));
        Assert.Empty(app.Errors);
    }
}
