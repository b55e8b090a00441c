using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>The topic catalog (<see cref="PrimeBrokerTopics.All"/>) under the names this deployment gives the topics
/// (<c>Brokerage:*Topic</c>): what <c>topics</c>, <c>dev-cluster</c> and <c>demo</c> provision and check, so a renamed
/// topic is created and verified under the name the topology reads and writes.</summary>
internal static class TopicCatalog
{
    /// <summary>Every catalog topic with its partitions and configs, named as <paramref name="options"/> says.</summary>
    internal static IReadOnlyList<TopicSpec> For(BrokerageOptions options)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PrimeBrokerTopics.TradeEvents] = options.TradeEventsTopic,
            [PrimeBrokerTopics.InstrumentEvents] = options.InstrumentEventsTopic,
            [PrimeBrokerTopics.PositionEvents] = options.PositionEventsTopic,
            [PrimeBrokerTopics.LedgerEvents] = options.LedgerEventsTopic,
            [PrimeBrokerTopics.SettlementEvents] = options.SettlementEventsTopic,
            [PrimeBrokerTopics.TradeEventsDlq] = options.DeadLetterTopic,
            [PrimeBrokerTopics.Alerts] = options.AlertsTopic,
        };
        return PrimeBrokerTopics.All.Select(spec => names.TryGetValue(spec.Name, out var name) ? spec with { Name = name } : spec).ToList();
    }
}
