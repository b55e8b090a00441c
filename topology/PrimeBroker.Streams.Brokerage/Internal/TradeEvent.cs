using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>Where a record of <c>trade-events</c> came from, with its bytes exactly as read (for the dead-letter topic).</summary>
internal sealed record SourceRecord(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, long Timestamp);

internal enum TradeEventKind
{
    Created,
    Amended,
    Cancelled,
}

/// <summary>
/// A decoded trade event in one shape for the three record types: what sequencing, idempotency, validation and booking
/// read. Held events are stored in this shape, with their source bytes.
/// </summary>
internal sealed record TradeEvent
{
    public required TradeEventKind Kind { get; init; }

    public required string AccountId { get; init; }

    public required long SequenceNumber { get; init; }

    public required string IdempotencyKey { get; init; }

    public required string TradeId { get; init; }

    /// <summary>Created only.</summary>
    public string? InstrumentId { get; init; }

    /// <summary>Created: the quantity; amended: the new quantity; cancelled: 0.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Created: the price; amended: the new price; cancelled: 0.</summary>
    public decimal Price { get; init; }

    /// <summary>Created only.</summary>
    public string? Currency { get; init; }

    /// <summary>Why a quantity or price could not be read as a <see cref="decimal"/> (then it reads as 0), or null.</summary>
    public string? AmountProblem { get; init; }

    /// <summary>Created only.</summary>
    public TradeSide? Side { get; init; }

    public string? OrderId { get; init; }

    public string? Strategy { get; init; }

    /// <summary>Amended and cancelled: the free-text reason.</summary>
    public string? Reason { get; init; }

    /// <summary>Event time, ms since the Unix epoch (UTC): the event's own timestamp field.</summary>
    public required long Timestamp { get; init; }

    public required SourceRecord Source { get; init; }

    /// <summary>When this record is the re-drive of a record dead-lettered undecoded (registry down): that record's
    /// <c>partition:offset</c>; otherwise null.</summary>
    public string? RedriveOf { get; init; }

    public override string ToString() => $"{Kind} {TradeId} of {AccountId} #{SequenceNumber}";
}

/// <summary>The settlement outcome an operator or a custodian feed reports for a trade (<see cref="ConfirmSettlement"/>), decoded.</summary>
internal sealed record SettlementCommand(string CommandId, string AccountId, string TradeId, SettlementOutcome Outcome, string? Reason, string RequestedBy, long Timestamp, SourceRecord Source);

/// <summary>The operator's gap resolution, decoded.</summary>
internal sealed record GapCommand(string CommandId, string AccountId, long? ExpectedSequence, string RequestedBy, string Reason, long Timestamp, SourceRecord Source);
