using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine;

/// <summary>A snapshot of an application's health: overall status, every task, and the problems in words.</summary>
/// <param name="Status">The overall status (the worst that applies).</param>
/// <param name="Tasks">Every task of this instance, running, restoring or stopped, ordered by id.</param>
/// <param name="Problems">One line per problem (a stalled task, a stuck thread, a failed task); empty when healthy.</param>
public sealed record StreamsHealth(StreamsHealthStatus Status, IReadOnlyList<TaskHealth> Tasks, IReadOnlyList<string> Problems)
{
    /// <summary>Whether the instance should receive traffic (status <see cref="StreamsHealthStatus.Running"/>).</summary>
    public bool IsReady => Status == StreamsHealthStatus.Running;
}
