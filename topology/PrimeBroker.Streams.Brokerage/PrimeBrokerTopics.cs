using System.Globalization;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// The catalog of the prime broker's Kafka topics: names and one declarative list of their specs. Provision it with any
/// <see cref="ITopicProvisioner"/>.
/// </summary>
/// <remarks>
/// Partition counts are part of the contract: keyed records (by account) are partitioned with murmur2, so changing a count
/// re-keys the topic. Retention, <c>cleanup.policy</c> and <c>min.insync.replicas</c> apply on a real cluster only; the
/// embedded cluster ignores topic configs.
/// </remarks>
public static class PrimeBrokerTopics
{
    /// <summary>Replication factor of every catalog topic.</summary>
    public const short ReplicationFactor = 3;

    /// <summary>Incoming trades, keyed by account.</summary>
    public const string TradeEvents = "trade-events";

    /// <summary>Position changes per (account, instrument).</summary>
    public const string PositionEvents = "position-events";

    /// <summary>Double-entry ledger postings; kept 7 years.</summary>
    public const string LedgerEvents = "ledger-events";

    /// <summary>Settlement instructions; kept 7 years.</summary>
    public const string SettlementEvents = "settlement-events";

    /// <summary>Instrument reference data, compacted: the latest record of every instrument is kept for good (a new or
    /// wiped instance builds its global instrument table from this topic).</summary>
    public const string InstrumentEvents = "instrument-events";

    /// <summary>Trades that failed validation, with the reason; partitioned like <see cref="TradeEvents"/>.</summary>
    public const string TradeEventsDlq = "trade-events-dlq";

    /// <summary>Operational alerts (for example a task stopped on lost input).</summary>
    public const string Alerts = "alerts";

    private static readonly TimeSpan s_defaultRetention = TimeSpan.FromDays(30);
    private static readonly TimeSpan s_regulatoryRetention = TimeSpan.FromDays(7 * 365 + 2); // 7 years incl. leap days

    /// <summary>All catalog topics, in a stable order.</summary>
    public static IReadOnlyList<TopicSpec> All { get; } =
    [
        Topic(TradeEvents, 20, s_defaultRetention),
        Topic(PositionEvents, 20, s_defaultRetention),
        Topic(LedgerEvents, 10, s_regulatoryRetention),
        Topic(SettlementEvents, 10, s_regulatoryRetention),
        Compacted(InstrumentEvents, 5),
        Topic(TradeEventsDlq, 20, s_defaultRetention),
        Topic(Alerts, 5, s_defaultRetention),
    ];

    // A compacted topic keeps the latest record per key whatever its age; retention.ms does not apply to it.
    private static TopicSpec Compacted(string name, int partitions) =>
        new(name, partitions, ReplicationFactor, new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact",
            ["min.insync.replicas"] = "2",
        }.AsReadOnly());

    private static TopicSpec Topic(string name, int partitions, TimeSpan retention) =>
        new(name, partitions, ReplicationFactor, new Dictionary<string, string>
        {
            ["retention.ms"] = ((long)retention.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            ["cleanup.policy"] = "delete",
            ["min.insync.replicas"] = "2",
        }.AsReadOnly());
}
