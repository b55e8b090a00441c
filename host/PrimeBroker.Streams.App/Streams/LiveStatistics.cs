namespace PrimeBroker.Streams.App.Streams;

/// <summary>One second of the running prime broker, as the demo's status line and the dashboard show it.</summary>
/// <param name="Time">When the sample was taken (UTC).</param>
/// <param name="TradesInPerSecond">Input records this instance's tasks processed per second (trades and commands on
/// trade-events, instrument updates).</param>
/// <param name="TradesAppliedPerSecond">Trades applied to positions per second by this instance.</param>
/// <param name="LatencyP50Ms">Median trade → position latency in ms over the last few seconds: from the publish of a
/// trade to the end of the commit that made its position visible in the committed store; null when none was measured.</param>
/// <param name="LatencyP99Ms">99th percentile of the same; null when none was measured.</param>
/// <param name="DeadLetters">Trades dead-lettered by this instance since it started, in total.</param>
/// <param name="DeadLettersByReason">The same by reason.</param>
/// <param name="OpenGaps">Accounts of this instance held on a sequence gap now.</param>
/// <param name="ConsumerLag">Records between this instance's positions and the end of its input partitions.</param>
/// <param name="EmbeddedClusterHeadroom">How full the fullest changelog partition of the embedded cluster is against
/// its 5 MiB cap (0..1, 1 or more means its head is gone and a restore is impossible); null on a real cluster.</param>
/// <param name="State">What the instance is doing (<c>InstancePhase</c>): <c>Starting</c>, <c>Restoring 3 of 20 tasks</c>, <c>Running</c>,
/// <c>Rebalancing</c> (after it ran), <c>Error</c>...</param>
public sealed record LiveSnapshot(
    DateTimeOffset Time,
    double TradesInPerSecond,
    double TradesAppliedPerSecond,
    double? LatencyP50Ms,
    double? LatencyP99Ms,
    long DeadLetters,
    IReadOnlyDictionary<string, long> DeadLettersByReason,
    int OpenGaps,
    long ConsumerLag,
    double? EmbeddedClusterHeadroom,
    string State);

/// <summary>
/// The rolling view of the running prime broker: the latest per-second snapshot and the last minutes of them (for
/// charts). Fed once a second by the host's sampler; read by the demo's status line and the dashboard.
/// </summary>
/// <remarks>Thread-safe. Keeps at most <see cref="Capacity"/> snapshots (one hour).</remarks>
public sealed class LiveStatistics
{
    /// <summary>Snapshots kept: one hour at one per second.</summary>
    public const int Capacity = 3600;

    private readonly object _lock = new();
    private readonly LinkedList<LiveSnapshot> _history = new();
    private LiveSnapshot _latest = Empty(DateTimeOffset.UtcNow);

    /// <summary>The latest snapshot; an all-zero one before the first sample.</summary>
    public LiveSnapshot Snapshot()
    {
        lock (_lock)
        {
            return _latest;
        }
    }

    /// <summary>The snapshots of the last <paramref name="window"/>, oldest first (at most <see cref="Capacity"/>).</summary>
    public IReadOnlyList<LiveSnapshot> History(TimeSpan window)
    {
        var since = DateTimeOffset.UtcNow - window;
        lock (_lock)
        {
            return _history.Where(s => s.Time >= since).ToList();
        }
    }

    /// <summary>Adds a sample (the host's sampler calls it once a second).</summary>
    internal void Add(LiveSnapshot snapshot)
    {
        lock (_lock)
        {
            _latest = snapshot;
            _history.AddLast(snapshot);
            while (_history.Count > Capacity)
            {
                _history.RemoveFirst();
            }
        }
    }

    internal static LiveSnapshot Empty(DateTimeOffset time) =>
        new(time, 0, 0, null, null, 0, new Dictionary<string, long>(), 0, 0, null, "Starting");
}
