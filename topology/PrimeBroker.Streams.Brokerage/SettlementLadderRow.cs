namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// One rung of the settlement ladder: the booked, not cancelled trades of one value (settlement) date and currency, from
/// the trades store (<see cref="BrokerageQueries.SettlementLadder"/>). Immutable; rows of several instances add up
/// (<see cref="Add"/>), as every trade lives on exactly one.
/// </summary>
/// <param name="ValueDate">The settlement date.</param>
/// <param name="Currency">ISO 4217 code of the amounts.</param>
/// <param name="Pending">Trades instructed and not yet confirmed.</param>
/// <param name="Failed">Trades whose settlement was reported failed (still to settle).</param>
/// <param name="Settled">Trades confirmed settled.</param>
/// <param name="Pay">Cash to pay for open (pending or failed) buys: Σ quantity × price, each rounded by the money rule.</param>
/// <param name="Receive">Cash to receive for open sells, the same way.</param>
public sealed record SettlementLadderRow(DateOnly ValueDate, string Currency, int Pending, int Failed, int Settled, decimal Pay, decimal Receive)
{
    /// <summary>Receive − pay: the open cash movement of the date (positive: the book receives).</summary>
    public decimal Net => Receive - Pay;

    /// <summary>The sum of two rows of the same date and currency.</summary>
    /// <exception cref="ArgumentException">The rows are of different dates or currencies.</exception>
    public SettlementLadderRow Add(SettlementLadderRow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ValueDate != ValueDate || other.Currency != Currency)
        {
            throw new ArgumentException($"Cannot add the row of {other.ValueDate} {other.Currency} to {ValueDate} {Currency}.", nameof(other));
        }

        return new(ValueDate, Currency, Pending + other.Pending, Failed + other.Failed, Settled + other.Settled, Pay + other.Pay, Receive + other.Receive);
    }
}
