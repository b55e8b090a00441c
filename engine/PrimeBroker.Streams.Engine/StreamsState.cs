namespace PrimeBroker.Streams.Engine;

/// <summary>The lifecycle state of a <see cref="StreamsApplication"/>.</summary>
public enum StreamsState
{
    /// <summary>Constructed; <see cref="StreamsApplication.StartAsync"/> not called yet.</summary>
    Created,

    /// <summary>Provisioning internal topics, restoring global stores, or waiting for / restoring an assignment.</summary>
    Rebalancing,

    /// <summary>Every stream thread holds an assignment with its tasks restored.</summary>
    Running,

    /// <summary><see cref="StreamsApplication.StopAsync"/> is committing, closing tasks and leaving the group.</summary>
    PendingShutdown,

    /// <summary>Stopped; final. An application cannot be started again.</summary>
    NotRunning,

    /// <summary>A stream thread died, or tasks stopped on errors: see <see cref="StreamsApplication.Errors"/>.</summary>
    Error,
}
