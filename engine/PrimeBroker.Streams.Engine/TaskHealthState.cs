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
}
