namespace PrimeBroker.Streams.Brokerage.Domain;

/// <summary>
/// A position's exact state, never rounded: signed quantity Q, the cost C of the open quantity (what it cost to buy a
/// long, what a short was sold for; positive) and the realized P&amp;L R. Money enters only as rounded notionals
/// (<see cref="MoneyMath.Notional"/>, the amounts cash moves by), so a position that goes flat has
/// R = Σ sells − Σ buys exactly: realized P&amp;L reconciles with cash. Immutable.
/// </summary>
/// <param name="Quantity">Q, signed.</param>
/// <param name="Cost">C, the cost of |Q|; 0 when flat.</param>
/// <param name="Realized">R, unrounded (28 significant digits of <see cref="decimal"/>).</param>
internal sealed record CostBasis(decimal Quantity, decimal Cost, decimal Realized)
{
    /// <summary>No quantity, no cost, nothing realized.</summary>
    public static readonly CostBasis Flat = new(0m, 0m, 0m);
}

/// <summary>
/// The average-cost method on a <see cref="CostBasis"/>, as pure functions. A trade of signed quantity d with rounded
/// notional N:
/// <list type="bullet">
/// <item><description>Opening or adding (Q = 0, or d has Q's sign): C' = C + N, R' = R.</description></item>
/// <item><description>Reducing, closing or flipping: the closed quantity c = min(|d|, |Q|) relieves the cost
/// C·c/|Q| (all of C when the position closes) and brings the proceeds N·c/|d| (all of N when the whole trade
/// closes); R' = R + sign(Q)·(proceeds − relief). A flip opens the remainder with the rest of N as its cost.</description></item>
/// <item><description>Q' = Q + d in every case.</description></item>
/// </list>
/// Nothing is rounded here: <see cref="Report"/> rounds the average cost C/|Q| and R once, for output
/// (<see cref="MoneyMath.RoundDivided"/>, which decides a tie as exact arithmetic would although divisions keep only 28
/// significant digits); a full close uses C itself, so no division residue survives a round trip.
/// </summary>
internal static class PositionArithmetic
{
    /// <summary>The basis after one trade.</summary>
    /// <exception cref="OverflowException">The arithmetic leaves <see cref="decimal"/>'s range.</exception>
    public static CostBasis Apply(CostBasis basis, decimal signedQuantity, decimal notional)
    {
        decimal q = basis.Quantity;
        decimal d = signedQuantity;
        if (q == 0 || Math.Sign(q) == Math.Sign(d))
        {
            return new CostBasis(q + d, basis.Cost + notional, basis.Realized);
        }

        decimal held = Math.Abs(q);
        decimal traded = Math.Abs(d);
        decimal closed = Math.Min(held, traded);
        decimal relief = closed == held ? basis.Cost : Share(basis.Cost, closed, held);
        decimal proceeds = closed == traded ? notional : Share(notional, closed, traded);
        decimal realized = basis.Realized + (Math.Sign(q) * (proceeds - relief));
        decimal cost = closed == held ? notional - proceeds : basis.Cost - relief;
        return new CostBasis(q + d, cost, realized);
    }

    /// <summary>amount × part / whole: multiplied first, so a share that is a terminating decimal comes out exact; a
    /// product beyond <see cref="decimal"/> divides first (28 significant digits either way).</summary>
    private static decimal Share(decimal amount, decimal part, decimal whole)
    {
        try
        {
            return amount * part / whole;
        }
        catch (OverflowException)
        {
            return amount * (part / whole);
        }
    }

    /// <summary>The basis after <paramref name="trades"/>, in their order, from <paramref name="start"/>.</summary>
    /// <exception cref="OverflowException">The arithmetic leaves <see cref="decimal"/>'s range.</exception>
    public static CostBasis Replay(CostBasis start, IEnumerable<PositionTrade> trades) =>
        trades.Aggregate(start, (basis, trade) => Apply(basis, trade.SignedQuantity, trade.Notional));

    /// <summary>What is reported: quantity, average cost round(C/|Q|) and realized P&amp;L round(R), checked; both rounded
    /// with <see cref="MoneyMath.RoundDivided"/>.</summary>
    /// <exception cref="BrokerageInvariantException">The position cannot be reported in decimal(28,8) (or its average
    /// cost rounds to zero while it is open).</exception>
    public static Position Report(Position template, CostBasis basis)
    {
        try
        {
            var position = template with
            {
                Quantity = basis.Quantity,
                AverageCost = basis.Quantity == 0 ? 0m : MoneyMath.RoundDivided(basis.Cost / Math.Abs(basis.Quantity)),
                RealizedPnl = MoneyMath.RoundDivided(basis.Realized),
            };
            CheckInvariants(position);
            return position;
        }
        catch (OverflowException e)
        {
            throw new BrokerageInvariantException($"Position ({template.AccountId}, {template.InstrumentId}) overflows: quantity {basis.Quantity}, cost {basis.Cost}, realized {basis.Realized}.", e);
        }
    }

    /// <summary>The invariants every stored position satisfies; checked before writing and after reading.</summary>
    /// <exception cref="BrokerageInvariantException">One is broken.</exception>
    public static void CheckInvariants(Position position)
    {
        bool ok = (position.Quantity == 0) == (position.AverageCost == 0)
            && position.AverageCost >= 0
            && MoneyMath.FitsContract(position.Quantity)
            && MoneyMath.FitsContract(position.AverageCost)
            && MoneyMath.FitsContract(position.RealizedPnl)
            && !string.IsNullOrEmpty(position.AccountId)
            && !string.IsNullOrEmpty(position.InstrumentId);
        if (!ok)
        {
            throw new BrokerageInvariantException(
                $"Position ({position.AccountId}, {position.InstrumentId}) breaks an invariant: quantity {position.Quantity}, average cost {position.AverageCost}, realized P&L {position.RealizedPnl}.");
        }
    }
}
