using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.App.Tests.Streams;

/// <summary>The first minute reads as a start, not as a failure or a bare engine state: <see cref="InstancePhase"/>
/// feeds the status line, the dashboard and the readiness answer.</summary>
public sealed class InstancePhaseTests
{
    [Fact]
    public void BeforeItsTasksFirstRunTheInstanceIsStarting()
    {
        Assert.Equal("Starting", InstancePhase.Describe(StreamsState.Created, Health(), hasRun: false));
        Assert.Equal("Starting", InstancePhase.Describe(StreamsState.Rebalancing, Health(), hasRun: false));
    }

    [Fact]
    public void WhileStoresRestoreItSaysHowManyTasksOfHowMany()
    {
        var health = Health(TaskHealthState.Restoring, TaskHealthState.Running, TaskHealthState.Restoring, TaskHealthState.Running);

        Assert.Equal("Restoring 2 of 4 tasks", InstancePhase.Describe(StreamsState.Rebalancing, health, hasRun: false));
        Assert.Equal("Restoring 2 of 4 tasks", InstancePhase.Describe(StreamsState.Running, health, hasRun: true));
    }

    [Fact]
    public void WhileStoresRestoreItSaysHowManyRecordsAreLeftOnceEveryRestoringTaskKnows()
    {
        var known = new StreamsHealth(StreamsHealthStatus.Restoring,
        [
            TaskOf(0, TaskHealthState.Restoring) with { RestoreRemaining = 1200 },
            TaskOf(1, TaskHealthState.Running),
            TaskOf(2, TaskHealthState.Restoring) with { RestoreRemaining = 34 },
        ], []);
        Assert.Equal("Restoring 2 of 3 tasks, 1234 records left", InstancePhase.Describe(StreamsState.Rebalancing, known, hasRun: false));

        // One restoring task that has not read its changelog's end yet: no figure rather than too small a one.
        var partly = known with { Tasks = [.. known.Tasks, TaskOf(3, TaskHealthState.Restoring)] };
        Assert.Equal("Restoring 3 of 4 tasks", InstancePhase.Describe(StreamsState.Rebalancing, partly, hasRun: false));
    }

    [Fact]
    public void ARebalanceAfterItRanIsARebalanceAndOtherStatesKeepTheirNames()
    {
        Assert.Equal("Rebalancing", InstancePhase.Describe(StreamsState.Rebalancing, Health(), hasRun: true));
        Assert.Equal("Running", InstancePhase.Describe(StreamsState.Running, Health(TaskHealthState.Running), hasRun: true));
        Assert.Equal("Error", InstancePhase.Describe(StreamsState.Error, Health(TaskHealthState.Failed), hasRun: true));
        Assert.Equal("PendingShutdown", InstancePhase.Describe(StreamsState.PendingShutdown, Health(), hasRun: true));
    }

    private static TaskHealth TaskOf(int partition, TaskHealthState state) => new(new TaskId(0, partition), "t", state, 0, TimeSpan.Zero, null);

    private static StreamsHealth Health(params TaskHealthState[] tasks) =>
        new(StreamsHealthStatus.Starting, tasks.Select((s, i) => new TaskHealth(new TaskId(0, i), "t", s, 0, TimeSpan.Zero, null)).ToList(), []);
}
