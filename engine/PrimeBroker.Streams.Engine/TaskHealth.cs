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
}
