using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// The stream thread's rebalance, restore, commit and fencing state machine, run on a real thread in lock-step over the
/// in-memory cluster (see <see cref="StreamThreadHarness"/>). Kafka Streams' counterparts: <c>StreamThreadTest</c> and
/// <c>TaskManagerTest</c>.
/// </summary>
public sealed class StreamThreadTests : IDisposable
{
    private readonly StreamThreadHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void AssignedTasksAreRestoredFromTheirChangelogBeforeTheyProcess()
    {
        var first = _harness.Join(0);
        first.RunUntilIdle();
        _harness.Produce(0, "a");
        _harness.Produce(0, "a");
        first.RunUntilIdle();
        _harness.CommitIntervalPasses();
        first.Step();
        Assert.Equal(2, _harness.CommittedCount(0, "a"));
        first.Dispose();

        _harness.Produce(0, "a");
        var restoredBefore = _harness.Metrics.RestoredTotal;
        var second = _harness.Join(0);

        // The assignment only queued the task: its partition is paused and nothing was processed.
        Assert.Empty(second.Thread.Tasks);
        Assert.Equal(TaskHealthState.Restoring, second.HealthOf(0).State);
        var processed = _harness.Processors.Processed;

        second.RunUntilIdle();
        Assert.True(_harness.Metrics.RestoredTotal > restoredBefore, "the new owner restored nothing");
        Assert.Equal(processed + 1, _harness.Processors.Processed);
        Assert.Equal(3, second.Count(0, "a")); // 2 restored + 1 processed after the restore
    }
}
