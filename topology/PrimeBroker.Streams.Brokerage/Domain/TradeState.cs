using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Domain;

/// <summary>A booked trade: what amends, cancels and settlement need later. Stored in <see cref="BrokerageStores.Trades"/>.</summary>
internal sealed record TradeState
{
    public required string TradeId { get; init; }

    public required string AccountId { get; init; }

    public required string InstrumentId { get; init; }

    public required TradeSide Side { get; init; }

    public required decimal Quantity { get; init; }

    public required decimal Price { get; init; }

    public required string Currency { get; init; }

    public required DateOnly SettlementDate { get; init; }

    public bool Cancelled { get; init; }

    /// <summary>The settlement's outcome so far: null while it is instructed (PENDING), else <see cref="SettlementStatus.FAILED"/>
    /// or <see cref="SettlementStatus.SETTLED"/> (from a <c>ConfirmSettlement</c>). Null is not written, so a pending
    /// trade's stored value is as before the lifecycle existed.</summary>
    public SettlementStatus? Outcome { get; init; }

    /// <summary>Ids of the settlement confirmations applied to this trade (null: none), so a repeated one is applied once.
    /// A trade gets a few (a fail report per failed day, then the settlement), at most <see cref="MaxSettlementCommands"/>.</summary>
    public IReadOnlyList<string>? SettlementCommands { get; init; }

    /// <summary>Most confirmations one trade remembers; a further one is refused (a feed that reports one trade this often is broken).</summary>
    public const int MaxSettlementCommands = 100;

    /// <summary>Where the trade's settlement stands (the lifecycle in topology/README.md).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public SettlementStatus Status => Cancelled ? SettlementStatus.CANCELLED : Outcome ?? SettlementStatus.PENDING;

    public required long BookedSequence { get; init; }

    public required long LastSequence { get; init; }
}
