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

    public required long BookedSequence { get; init; }

    public required long LastSequence { get; init; }
}
