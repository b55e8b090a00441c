namespace PrimeBroker.Streams.Engine;

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

    /// <summary>A standby task (<see cref="StreamsConfig.NumStandbyReplicas"/>): this instance keeps the task's stores
    /// warm from its changelogs for another instance's active task; its lag counts changelog offsets behind the last
    /// stable offset. It processes nothing and serves no queries.</summary>
    Standby,
}
