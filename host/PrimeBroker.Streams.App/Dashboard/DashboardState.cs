namespace PrimeBroker.Streams.App.Dashboard;

/// <summary>What the dashboard page draws from this instance, as served by <c>GET /api/dashboard/state</c> (camelCase
/// JSON). Open gaps come from the API's <c>GET /gaps</c>, which asks every instance.</summary>
/// <param name="Time">When the state was read (UTC); the right edge of the charts.</param>
/// <param name="WindowSeconds">The chart window the page asked for, in seconds.</param>
/// <param name="Current">The latest per-second figures.</param>
/// <param name="DeadLettersByReason">Dead letters counted by reason since the instance started, largest first.</param>
/// <param name="History">One point per second over the window, oldest first; may be shorter than the window after a
/// start.</param>
/// <param name="Instances">Every announced instance with the input partitions it owns now.</param>
internal sealed record DashboardState(
    DateTimeOffset Time,
    int WindowSeconds,
    DashboardFigures Current,
    IReadOnlyList<DashboardReasonCount> DeadLettersByReason,
    IReadOnlyList<DashboardPoint> History,
    IReadOnlyList<DashboardInstance> Instances);

/// <summary>The figures of one second. Rates are per second; latencies in milliseconds, trade to the commit of the
/// transaction that carried its position (null when no trade was applied in the measuring window).</summary>
/// <param name="EmbeddedClusterHeadroom">How full the fullest changelog partition of the embedded cluster is against its
/// 5 MiB cap, 0 to 1; null on a real cluster.</param>
/// <param name="State">The streams application's state (<c>Running</c>, <c>Rebalancing</c>, <c>Error</c>...).</param>
internal sealed record DashboardFigures(
    double TradesInPerSecond,
    double TradesAppliedPerSecond,
    double? LatencyP50Ms,
    double? LatencyP99Ms,
    long DeadLetters,
    int OpenGaps,
    long ConsumerLag,
    double? EmbeddedClusterHeadroom,
    string State);

/// <summary>One chart point: the figures of the second ending at <paramref name="Time"/>.</summary>
internal sealed record DashboardPoint(
    DateTimeOffset Time,
    double TradesInPerSecond,
    double TradesAppliedPerSecond,
    double? LatencyP50Ms,
    double? LatencyP99Ms);

/// <summary>Dead letters of one reason.</summary>
internal sealed record DashboardReasonCount(string Reason, long Count);

/// <summary>An instance (its application server URL) and the input partitions it owns.</summary>
/// <param name="Self">True for the instance serving this page.</param>
internal sealed record DashboardInstance(string Server, bool Self, IReadOnlyList<DashboardPartition> Partitions);

/// <summary>One topic partition.</summary>
internal sealed record DashboardPartition(string Topic, int Partition);
