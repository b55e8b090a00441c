using PrimeBroker.Streams.Engine.Processing;
using Xunit;

namespace PrimeBroker.Streams.Engine.Tests;

/// <summary>
/// The health check reads a stream thread's per-state task sets without a lock while the thread moves a task from one
/// to the next, so it can read a task twice (a CI run saw task 0_0 both restoring and running, and a caller that keyed
/// the tasks by id threw). <see cref="TaskHealth.OnePerTask"/> keeps one entry per task: the later state.
/// </summary>
public sealed class TaskHealthTests
{
    private static TaskHealth Task(int partition, TaskHealthState state) =>
        new(new TaskId(0, partition), "t-0", state, -1, TimeSpan.Zero, null);

    [Theory]
    [InlineData(TaskHealthState.Restoring, TaskHealthState.Running)]
    [InlineData(TaskHealthState.Restoring, TaskHealthState.Stalled)]
    [InlineData(TaskHealthState.Restoring, TaskHealthState.Retrying)]
    [InlineData(TaskHealthState.Restoring, TaskHealthState.Failed)]
    [InlineData(TaskHealthState.Standby, TaskHealthState.Restoring)]
    [InlineData(TaskHealthState.Running, TaskHealthState.Retrying)]
    [InlineData(TaskHealthState.Running, TaskHealthState.Failed)]
    public void ATaskReadInTwoStatesIsReportedOnceInTheLaterOne(TaskHealthState earlier, TaskHealthState later)
    {
        foreach (var order in new[] { new[] { earlier, later }, [later, earlier] })
        {
            var tasks = TaskHealth.OnePerTask([Task(1, order[0]), Task(0, TaskHealthState.Running), Task(1, order[1])]);

            Assert.Equal([new TaskId(0, 0), new TaskId(0, 1)], tasks.Select(t => t.TaskId));
            Assert.Equal(later, tasks[1].State);
        }
    }

    [Fact]
    public void TasksInOneStateEachAreKeptAsTheyAreInIdOrder()
    {
        var tasks = TaskHealth.OnePerTask([Task(2, TaskHealthState.Standby), Task(0, TaskHealthState.Failed), Task(1, TaskHealthState.Restoring)]);

        Assert.Equal([(0, TaskHealthState.Failed), (1, TaskHealthState.Restoring), (2, TaskHealthState.Standby)],
            tasks.Select(t => (t.TaskId.Partition, t.State)));
    }
}
