using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine;

/// <summary>One task as <see cref="StreamsApplication.Health"/> sees it.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Thread">The stream thread that owns it.</param>
/// <param name="State">Its state.</param>
/// <param name="Lag">Records between its committed position and the end of its input (summed over its input partitions),
/// as last measured; -1 when unknown.</param>
/// <param name="SinceProgress">Time since its committed position last advanced (or since it started).</param>
/// <param name="Detail">Why it is not <see cref="TaskHealthState.Running"/>: the error, or what its thread is doing;
/// null when running.</param>
public sealed record TaskHealth(TaskId TaskId, string Thread, TaskHealthState State, long Lag, TimeSpan SinceProgress, string? Detail)
{
    /// <summary>For a <see cref="TaskHealthState.Restoring"/> task: changelog offsets its stores still have to read,
    /// summed over its stores (commit markers included, see <see cref="PrimeBroker.Streams.Engine.State.IStateRestoreListener"/>), as of its last
    /// restore step; 0 once read to the end. -1 for other states and before the first changelog end is known.</summary>
    public long RestoreRemaining { get; init; } = -1;

    /// <summary>
    /// One entry per task, ordered by id. A task's state lives in one of several per-state sets (restoring, running,
    /// parked, failed, standby) that a stream thread updates one after the other while the health check reads them from
    /// another thread without a common lock, so a task caught in a transition can be read in two of them. Its entry is
    /// then the one later in a task's life (standby, restoring, running or stalled, retrying, failed), which is where
    /// the thread's transitions go: a restore ends running or parked, a retry leaves the parked set before it restores.
    /// </summary>
    internal static List<TaskHealth> OnePerTask(IEnumerable<TaskHealth> tasks) =>
        tasks.GroupBy(t => t.TaskId).Select(g => g.MaxBy(t => LifeStage(t.State))!).OrderBy(t => t.TaskId).ToList();

    private static int LifeStage(TaskHealthState state) => state switch
    {
        TaskHealthState.Standby => 0,
        TaskHealthState.Restoring => 1,
        TaskHealthState.Running or TaskHealthState.Stalled => 2,
        TaskHealthState.Retrying => 3,
        _ => 4,
    };
}
