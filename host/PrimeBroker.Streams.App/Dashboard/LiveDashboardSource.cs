using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Dashboard;

/// <summary>
/// The dashboard's state from the running instance: figures and chart history from <see cref="LiveStatistics"/>,
/// instances from the group's announcements (<see cref="StreamsApplication.Instances"/>). Thread-safe: every source it
/// reads is.
/// </summary>
internal sealed class LiveDashboardSource(LiveStatistics statistics, StreamsApplication application)
    : IDashboardSource
{
    public DashboardState Read(TimeSpan window)
    {
        var now = statistics.Snapshot();
        var history = statistics.History(window)
            .Select(s => new DashboardPoint(s.Time, s.TradesInPerSecond, s.TradesAppliedPerSecond, s.LatencyP50Ms, s.LatencyP99Ms))
            .ToList();
        return new DashboardState(
            now.Time,
            (int)window.TotalSeconds,
            new DashboardFigures(now.TradesInPerSecond, now.TradesAppliedPerSecond, now.LatencyP50Ms, now.LatencyP99Ms,
                now.DeadLetters, now.OpenGaps, now.ConsumerLag, now.EmbeddedClusterHeadroom, now.State),
            [.. now.DeadLettersByReason
                .Where(r => r.Value > 0)
                .OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => new DashboardReasonCount(r.Key, r.Value))],
            history,
            Instances());
    }

    private List<DashboardInstance> Instances()
    {
        var self = application.Config.ApplicationServer;
        return [.. application.Instances()
            .OrderBy(i => i.Key, StringComparer.Ordinal)
            .Select(i => new DashboardInstance(
                i.Key,
                string.Equals(i.Key, self, StringComparison.Ordinal),
                [.. i.Value.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value)
                    .Select(p => new DashboardPartition(p.Topic, p.Partition.Value))]))];
    }
}
