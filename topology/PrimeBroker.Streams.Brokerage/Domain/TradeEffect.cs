using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Domain;

/// <summary>
/// One economic effect of an event on positions and the ledger: a booking (the trade as it is) or a reversal (the
/// opposite side at the original quantity and price). A create books; a cancel reverses; an amend reverses the old
/// terms and books the new. Immutable.
/// </summary>
/// <param name="LedgerEntryId">Deterministic from the trade id and what happened, e.g. <c>T-1:booked</c>,
/// <c>T-1:amended-7:reversal</c>, <c>T-1:cancelled-9:reversal</c>.</param>
/// <param name="Direction">The side the effect moves the position: the trade's side for a booking, the opposite for a reversal.</param>
/// <param name="Quantity">Positive.</param>
/// <param name="Price">Positive.</param>
/// <param name="Notional">quantity × price, rounded by <see cref="MoneyMath"/>.</param>
internal sealed record TradeEffect(string LedgerEntryId, TradeSide Direction, decimal Quantity, decimal Price, decimal Notional)
{
    public static TradeEffect Booking(string ledgerEntryId, TradeSide side, decimal quantity, decimal price) =>
        new(ledgerEntryId, side, quantity, price, MoneyMath.Notional(quantity, price));

    public static TradeEffect Reversal(string ledgerEntryId, TradeSide originalSide, decimal quantity, decimal price) =>
        new(ledgerEntryId, originalSide == TradeSide.BUY ? TradeSide.SELL : TradeSide.BUY, quantity, price, MoneyMath.Notional(quantity, price));
}
