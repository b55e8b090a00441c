using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine;

/// <summary>How an application is doing, for a readiness probe: <see cref="Running"/> is the only ready state.</summary>
public enum StreamsHealthStatus
{
    /// <summary>Not started yet, or starting (topics, global stores), or waiting for a first assignment.</summary>
    Starting,

    /// <summary>Some tasks are restoring their stores; the others may already process.</summary>
    Restoring,

    /// <summary>Every thread holds its assignment and every task with input makes progress.</summary>
    Running,

    /// <summary>Running, but something is wrong and may heal: a task whose input has lag made no progress for
    /// <see cref="StreamsConfig.StallTimeout"/>, a thread stuck in a call, or a task waiting to be retried.</summary>
    Degraded,

    /// <summary>A thread died or a task stopped on a permanent error (see <see cref="StreamsApplication.Errors"/>); it
    /// will not heal without an operator.</summary>
    Failed,

    /// <summary>Stopping or stopped.</summary>
    Stopped,
}

/// <summary>The state of one task in <see cref="StreamsHealth"/>.</summary>
public enum TaskHealthState
{
    /// <summary>Restoring its stores from the changelogs.</summary>
    Restoring,

    /// <summary>Processing; no lag, or its committed position advanced within <see cref="StreamsConfig.StallTimeout"/>.</summary>
    Running,

    /// <summary>Its input has lag and its committed position has not advanced for <see cref="StreamsConfig.StallTimeout"/>.</summary>
    Stalled,

    /// <summary>Stopped on an error that may be transient; the engine retries it with backoff.</summary>
    Retrying,

    /// <summary>Stopped on a permanent error; it stays stopped.</summary>
    Failed,
}

/// <summary>One task as <see cref="StreamsApplication.Health"/> sees it.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Thread">The stream thread that owns it.</param>
/// <param name="State">Its state.</param>
/// <param name="Lag">Records between its committed position and the end of its input (summed over its input partitions),
/// as last measured; -1 when unknown.</param>
/// <param name="SinceProgress">Time since its committed position last advanced (or since it started).</param>
/// <param name="Detail">Why it is not <see cref="TaskHealthState.Running"/>: the error, or what its thread is doing;
/// null when running.</param>
public sealed record TaskHealth(TaskId TaskId, string Thread, TaskHealthState State, long Lag, TimeSpan SinceProgress, string? Detail);

/// <summary>A snapshot of an application's health: overall status, every task, and the problems in words.</summary>
/// <param name="Status">The overall status (the worst that applies).</param>
/// <param name="Tasks">Every task of this instance, running, restoring or stopped, ordered by id.</param>
/// <param name="Problems">One line per problem (a stalled task, a stuck thread, a failed task); empty when healthy.</param>
public sealed record StreamsHealth(StreamsHealthStatus Status, IReadOnlyList<TaskHealth> Tasks, IReadOnlyList<string> Problems)
{
    /// <summary>Whether the instance should receive traffic (status <see cref="StreamsHealthStatus.Running"/>).</summary>
    public bool IsReady => Status == StreamsHealthStatus.Running;
}
