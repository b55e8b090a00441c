namespace PrimeBroker.Streams.Brokerage.Domain;

/// <summary>
/// One change of a position: a signed quantity at a price, caused by a booked trade or a reversal. Immutable.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="InstrumentId">The instrument.</param>
/// <param name="Currency">Currency of <paramref name="Price"/>.</param>
/// <param name="QuantityDelta">Signed: positive buys, negative sells; never zero.</param>
/// <param name="Price">Price per unit, positive.</param>
/// <param name="TradeId">The trade booked or reversed.</param>
/// <param name="SequenceNumber">Sequence number of the event that caused the change.</param>
/// <param name="Timestamp">Event time (ms since the Unix epoch, UTC).</param>
internal sealed record PositionDelta(
    string AccountId, string InstrumentId, string Currency, decimal QuantityDelta, decimal Price, string TradeId, long SequenceNumber, long Timestamp);
