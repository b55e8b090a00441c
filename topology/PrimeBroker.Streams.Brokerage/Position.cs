namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// An account's position in one instrument, by the average-cost method. Immutable. Money and quantities are
/// <see cref="decimal"/> with at most 8 decimal places (see <see cref="Domain.MoneyMath"/> for the one rounding rule).
/// </summary>
/// <remarks>
/// Invariants (checked when a position is written and again when it is read back from a store): the average cost is
/// zero exactly when the quantity is zero, and never negative; no field has more than 8 decimal places.
/// </remarks>
public sealed record Position
{
    /// <summary>The account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The instrument.</summary>
    public required string InstrumentId { get; init; }

    /// <summary>Signed net quantity: positive is long, negative is short, zero is flat.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Average cost per unit of the open quantity, in <see cref="Currency"/>; 0 when flat.</summary>
    public decimal AverageCost { get; init; }

    /// <summary>Cumulative realized profit and loss, in <see cref="Currency"/>.</summary>
    public decimal RealizedPnl { get; init; }

    /// <summary>ISO 4217 code of <see cref="AverageCost"/> and <see cref="RealizedPnl"/>.</summary>
    public required string Currency { get; init; }

    /// <summary>The trade that changed the position last (an amend or cancel names the trade it changed).</summary>
    public string? LastTradeId { get; init; }

    /// <summary>Sequence number of the event that changed the position last.</summary>
    public long LastSequenceNumber { get; init; }

    /// <summary>Event time of the last change, UTC.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Market value at <paramref name="price"/>: quantity × price, rounded by the money rule.</summary>
    public decimal MarketValue(decimal price) => Domain.MoneyMath.Round(Quantity * price);

    /// <summary>Unrealized profit and loss at <paramref name="price"/>: quantity × (price − average cost), rounded by the money rule.</summary>
    public decimal UnrealizedPnl(decimal price) => Domain.MoneyMath.Round(Quantity * (price - AverageCost));
}
