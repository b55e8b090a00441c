namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// The prime broker's own health signal (rule 9): a broken invariant stops its task, and since that task's transaction
/// aborts, its alert cannot travel in it; it is raised here instead (and logged as critical). The host reports the
/// application unhealthy while <see cref="IsHealthy"/> is false and may publish <see cref="CriticalFailureRaised"/> to the
/// alerts topic with a plain producer. Thread-safe.
/// </summary>
public sealed class BrokerageHealth
{
    private readonly Lock _lock = new();
    private readonly List<CriticalFailure> _failures = [];

    /// <summary>Raised on the stream thread that met the failure, before the task stops. Handlers must not throw.</summary>
    public event Action<CriticalFailure>? CriticalFailureRaised;

    /// <summary>False once any critical failure was raised; stays false until the process restarts.</summary>
    public bool IsHealthy
    {
        get
        {
            lock (_lock)
            {
                return _failures.Count == 0;
            }
        }
    }

    /// <summary>The failures raised so far (the first 100), oldest first.</summary>
    public IReadOnlyList<CriticalFailure> CriticalFailures
    {
        get
        {
            lock (_lock)
            {
                return [.. _failures];
            }
        }
    }

    internal void Raise(CriticalFailure failure)
    {
        lock (_lock)
        {
            if (_failures.Count < 100)
            {
                _failures.Add(failure);
            }
        }

        CriticalFailureRaised?.Invoke(failure);
    }
}

/// <summary>A broken invariant that stopped a task.</summary>
/// <param name="Task">The engine task (sub-topology and partition), e.g. <c>0_3</c>.</param>
/// <param name="AccountId">The account concerned, when known.</param>
/// <param name="Message">What broke, readable.</param>
/// <param name="At">Wall-clock time it was raised, UTC.</param>
public sealed record CriticalFailure(string Task, string? AccountId, string Message, DateTimeOffset At);
