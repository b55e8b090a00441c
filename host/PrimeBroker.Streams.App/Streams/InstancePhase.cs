using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Streams;

/// <summary>
/// What this instance is doing, in words for the people who watch it (the demo's status line, the dashboard, the
/// readiness answer): <c>Starting</c> until its tasks first run, <c>Restoring n of m tasks, k records left</c> while
/// stores restore (k: the changelog offsets the restoring tasks still have to read, <see cref="TaskHealth.RestoreRemaining"/>,
/// shown once every restoring task knows its own),
/// <c>Running</c>, <c>Rebalancing</c> only for a rebalance after it ran, and the engine's state otherwise. A program
/// that is starting is not shown as failed or as a bare engine state (<c>Created</c>).
/// </summary>
/// <remarks>Thread-safe. "Ran" is remembered from the reads: a later rebalance is a rebalance, the first one is the start.</remarks>
internal sealed class InstancePhase(StreamsApplication application)
{
    private volatile bool _hasRun;

    /// <summary>The phase now.</summary>
    internal string Describe()
    {
        var state = application.State;
        _hasRun |= state == StreamsState.Running;
        return Describe(state, application.Health, _hasRun);
    }

    /// <summary>The phase for an engine state and health.</summary>
    /// <param name="state">The application's state.</param>
    /// <param name="health">Its health (tasks and their states).</param>
    /// <param name="hasRun">Whether it has been <see cref="StreamsState.Running"/> before.</param>
    internal static string Describe(StreamsState state, StreamsHealth health, bool hasRun)
    {
        var restoring = health.Tasks.Where(t => t.State == TaskHealthState.Restoring).ToList();
        var left = restoring.All(t => t.RestoreRemaining >= 0)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", {restoring.Sum(t => t.RestoreRemaining)} records left")
            : "";
        return state switch
        {
            StreamsState.Created or StreamsState.Rebalancing or StreamsState.Running when restoring.Count > 0 => $"Restoring {restoring.Count} of {health.Tasks.Count} tasks{left}",
            StreamsState.Created => "Starting",
            StreamsState.Rebalancing => hasRun ? "Rebalancing" : "Starting",
            _ => state.ToString(),
        };
    }
}
