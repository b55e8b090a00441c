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
