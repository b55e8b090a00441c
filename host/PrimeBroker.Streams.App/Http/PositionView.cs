using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Http;

/// <summary>A position as the API returns it: the stored figures plus market value and unrealized P&amp;L from the
/// instrument's latest price (null when the instrument has no price here).</summary>
public sealed record PositionView(
    string AccountId,
    string InstrumentId,
    decimal Quantity,
    decimal AverageCost,
    decimal RealizedPnl,
    string Currency,
    decimal? MarketPrice,
    decimal? MarketValue,
    decimal? UnrealizedPnl,
    string? LastTradeId,
    long LastSequenceNumber,
    DateTimeOffset UpdatedAt)
{
    internal static PositionView From(Position position, Instrument? instrument) => new(
        position.AccountId,
        position.InstrumentId,
        position.Quantity,
        position.AverageCost,
        position.RealizedPnl,
        position.Currency,
        instrument?.Price,
        instrument is null ? null : position.MarketValue(instrument.Price),
        instrument is null ? null : position.UnrealizedPnl(instrument.Price),
        position.LastTradeId,
        position.LastSequenceNumber,
        position.UpdatedAt);
}

/// <summary>All positions of one account, and which instance answered.</summary>
public sealed record AccountPositions(string AccountId, IReadOnlyList<PositionView> Positions, string ServedBy);

/// <summary>The answer to <c>POST /trades</c>.</summary>
public sealed record TradeAccepted(string AccountId, long SequenceNumber, string IdempotencyKey, int Partition, long Offset);

/// <summary>One open sequence gap. <paramref name="OpenSince"/> and <paramref name="OldestHeldSince"/> are the Kafka
/// timestamps of the records that opened the gap and that wait longest (the same after a failover);
/// <paramref name="HeldForSeconds"/> is how long the oldest has been held when the instance answered.</summary>
public sealed record GapView(string AccountId, long ExpectedSequence, long FirstHeldSequence, int HeldCount, DateTimeOffset OpenSince, bool Alerted, string Instance,
    DateTimeOffset? OldestHeldSince = null, long? HeldForSeconds = null);

/// <summary>Open gaps of every instance that answered, and those that did not.</summary>
public sealed record GapsView(IReadOnlyList<GapView> Gaps, IReadOnlyList<string> UnreachableInstances);

/// <summary>One dead letter in <c>GET /dlq</c>.</summary>
public sealed record DeadLetterView(string Id, string Reason, string Message, string SourceTopic, int SourcePartition, long SourceOffset,
    DateTimeOffset Timestamp, string? RecordType, string? AccountId, string? TradeId, string? InstrumentId, long? SequenceNumber);

/// <summary><c>GET /dlq</c>: totals by reason and the latest dead letters.</summary>
public sealed record DeadLettersView(long Total, IReadOnlyDictionary<string, long> ByReason, IReadOnlyList<DeadLetterView> Latest);

/// <summary>The answer to <c>POST /accounts/{accountId}/gaps/resolve</c>: the command was written; the outcome
/// (resolved, or refused when no such gap is open) is audited on the alerts topic.</summary>
public sealed record GapResolutionAccepted(string AccountId, string CommandId, long? ExpectedSequence, int Partition, long Offset);
