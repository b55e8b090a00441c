using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Domain;

/// <summary>
/// A live trade in a position's history (<see cref="BrokerageStores.PositionTrades"/>), at its place in the account's
/// sequence: a cancel removes it, an amend replaces its terms in place. Immutable.
/// </summary>
/// <param name="TradeId">The trade.</param>
/// <param name="Sequence">The sequence number that booked it (its place in history; an amend keeps it).</param>
/// <param name="Side">BUY or SELL.</param>
/// <param name="Quantity">Positive.</param>
/// <param name="Price">Positive.</param>
/// <param name="Notional">round(quantity × price): what the trade moved in cash.</param>
internal sealed record PositionTrade(string TradeId, long Sequence, TradeSide Side, decimal Quantity, decimal Price, decimal Notional)
{
    /// <summary>Positive for a buy, negative for a sell.</summary>
    public decimal SignedQuantity => Side == TradeSide.BUY ? Quantity : -Quantity;
}
