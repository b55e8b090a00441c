using PrimeBroker.Streams.App.Http;

namespace PrimeBroker.Streams.App.Dashboard;

/// <summary>What the page draws for the whole application, served by <c>GET /api/dashboard/cluster</c> from any
/// instance: every instance's own state (asked of each, as <c>GET /api/dashboard/state</c>), the book's figures and one
/// chart history merged from all of them, so the page shows the same whichever instance a load balancer sends it to.</summary>
/// <param name="Time">When the serving instance read its own state (UTC); the right edge of the charts.</param>
/// <param name="WindowSeconds">The chart window, in seconds.</param>
/// <param name="Current">The figures of every instance that answered: rates, dead letters, gaps and lag summed,
/// latencies and headroom the worst instance's, state <c>Running</c> only when every instance runs.</param>
/// <param name="DeadLettersByReason">Dead letters by reason, summed over the instances that answered.</param>
/// <param name="History">Per second: rates summed over instances, latencies the worst instance's.</param>
/// <param name="Instances">Every instance the directory knows, with its figures or why it did not answer.</param>
internal sealed record ClusterDashboardState(
    DateTimeOffset Time,
    int WindowSeconds,
    DashboardFigures Current,
    IReadOnlyList<DashboardReasonCount> DeadLettersByReason,
    IReadOnlyList<DashboardPoint> History,
    IReadOnlyList<ClusterInstance> Instances);

/// <summary>One instance as the cluster view shows it.</summary>
/// <param name="Server">Its application server.</param>
/// <param name="Self">True for the instance serving the page.</param>
/// <param name="Partitions">The input partitions the directory says it owns.</param>
/// <param name="Current">Its own figures (state, lag, rates, latency); null when it did not answer.</param>
/// <param name="Problem">Why it did not answer; null when it did.</param>
internal sealed record ClusterInstance(string Server, bool Self, IReadOnlyList<DashboardPartition> Partitions, DashboardFigures? Current, string? Problem);

/// <summary>Gathers and merges the instances' dashboard states. Stateless and thread-safe.</summary>
internal static class ClusterDashboard
{
    /// <summary>The name of the serving instance when no application server is set (a lone instance).</summary>
    internal const string Alone = "this instance";

    /// <summary>Asks every other instance of <paramref name="local"/>'s directory for its state over
    /// <paramref name="window"/> and merges them with <paramref name="local"/>.</summary>
    internal static async Task<ClusterDashboardState> GatherAsync(DashboardState local, TimeSpan window, OwnerForwarder forwarder, CancellationToken cancellationToken)
    {
        var self = local.Instances.FirstOrDefault(i => i.Self)?.Server ?? Alone;
        var others = local.Instances.Where(i => !i.Self).ToList();
        var path = $"/api/dashboard/state?minutes={(int)window.TotalMinutes}";
        var answers = await Task.WhenAll(others.Select(i => forwarder.GetAsync(self, i.Server, path, cancellationToken)));
        var states = new List<(string Server, DashboardState? State, string? Problem)> { (self, local, null) };
        states.AddRange(answers.Select(a => a.ReadJson<DashboardState>() is { } s ? (a.Instance, (DashboardState?)s, (string?)null) : (a.Instance, null, a.Problem)));
        return Merge(local, states);
    }

    /// <summary>The cluster view of <paramref name="states"/> (the serving instance's first), instances ordered as the
    /// serving instance's directory lists them.</summary>
    internal static ClusterDashboardState Merge(DashboardState local, IReadOnlyList<(string Server, DashboardState? State, string? Problem)> states)
    {
        var answered = states.Where(s => s.State is not null).Select(s => s.State!).ToList();
        var byServer = states.ToDictionary(s => s.Server, StringComparer.Ordinal);
        var instances = local.Instances.Count == 0
            ? [new ClusterInstance(states[0].Server, true, [], local.Current, null)]
            : local.Instances.Select(i => byServer.TryGetValue(i.Server, out var s) || (i.Self && byServer.TryGetValue(states[0].Server, out s))
                ? new ClusterInstance(i.Server, i.Self, i.Partitions, s.State?.Current, s.Problem)
                : new ClusterInstance(i.Server, i.Self, i.Partitions, null, "not asked")).ToList();

        var history = answered.SelectMany(s => s.History)
            .GroupBy(p => p.Time.ToUnixTimeSeconds())
            .OrderBy(g => g.Key)
            .Select(g => new DashboardPoint(DateTimeOffset.FromUnixTimeSeconds(g.Key), g.Sum(p => p.TradesInPerSecond), g.Sum(p => p.TradesAppliedPerSecond),
                Worst(g.Select(p => p.LatencyP50Ms)), Worst(g.Select(p => p.LatencyP99Ms))))
            .ToList();
        var figures = answered.Select(s => s.Current).ToList();
        var current = new DashboardFigures(
            figures.Sum(f => f.TradesInPerSecond), figures.Sum(f => f.TradesAppliedPerSecond), Worst(figures.Select(f => f.LatencyP50Ms)),
            Worst(figures.Select(f => f.LatencyP99Ms)), figures.Sum(f => f.DeadLetters), figures.Sum(f => f.OpenGaps), figures.Sum(f => f.ConsumerLag),
            Worst(figures.Select(f => f.EmbeddedClusterHeadroom)),
            figures.Select(f => f.State).FirstOrDefault(s => s != "Running") ?? local.Current.State);
        var reasons = answered.SelectMany(s => s.DeadLettersByReason).GroupBy(r => r.Reason, StringComparer.Ordinal)
            .Select(g => new DashboardReasonCount(g.Key, g.Sum(r => r.Count)))
            .OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).ToList();
        return new ClusterDashboardState(local.Time, local.WindowSeconds, current, reasons, history, instances);
    }

    private static double? Worst(IEnumerable<double?> values) => values.Where(v => v is not null).Max();
}
