namespace PrimeBroker.Streams.Brokerage.Domain;

/// <summary>
/// The average-cost method, as pure functions. With Q the signed quantity, A the average cost, R the realized P&amp;L and
/// a change of d units at price p (rounding: <see cref="MoneyMath.Round"/>):
/// <list type="bullet">
/// <item><description>Opening or adding (Q = 0, or d has Q's sign): A' = round((round(|Q|·A) + round(|d|·p)) / (|Q| + |d|)), R' = R.</description></item>
/// <item><description>Reducing, closing or flipping (opposite signs): the closed quantity c = min(|d|, |Q|) realizes
/// R' = R + sign(Q) · round(c · (p − A)); A' = A while the position keeps its side, 0 when flat, p when it flips
/// (the remainder |d| − |Q| opens at p).</description></item>
/// <item><description>Q' = Q + d in every case (inputs have at most 8 places, so the sum is exact).</description></item>
/// </list>
/// </summary>
internal static class PositionArithmetic
{
    /// <summary>A flat position to start from.</summary>
    public static Position Flat(string accountId, string instrumentId, string currency) =>
        new() { AccountId = accountId, InstrumentId = instrumentId, Currency = currency };

    /// <summary>The position after <paramref name="change"/>.</summary>
    /// <exception cref="BrokerageInvariantException">The change is malformed, belongs to another position, is in another
    /// currency than an open position, or the arithmetic overflows (rule 9: the task must stop).</exception>
    public static Position Apply(Position position, PositionDelta change)
    {
        if (change.QuantityDelta == 0 || change.Price <= 0)
        {
            throw new BrokerageInvariantException($"Position change of trade {change.TradeId} has quantity {change.QuantityDelta} and price {change.Price}; both must be non-zero and the price positive.");
        }

        if (position.AccountId != change.AccountId || position.InstrumentId != change.InstrumentId)
        {
            throw new BrokerageInvariantException($"Position change for ({change.AccountId}, {change.InstrumentId}) applied to position ({position.AccountId}, {position.InstrumentId}).");
        }

        if (position.Quantity != 0 && position.Currency != change.Currency)
        {
            throw new BrokerageInvariantException($"Position ({position.AccountId}, {position.InstrumentId}) is held in {position.Currency}; trade {change.TradeId} is in {change.Currency}.");
        }

        try
        {
            decimal q = position.Quantity;
            decimal a = position.AverageCost;
            decimal d = change.QuantityDelta;
            decimal p = change.Price;
            decimal q2 = q + d;
            decimal a2;
            decimal r2 = position.RealizedPnl;
            if (q == 0 || Math.Sign(q) == Math.Sign(d))
            {
                a2 = MoneyMath.Round((MoneyMath.Round(Math.Abs(q) * a) + MoneyMath.Round(Math.Abs(d) * p)) / Math.Abs(q2));
            }
            else
            {
                decimal closed = Math.Min(Math.Abs(d), Math.Abs(q));
                r2 += Math.Sign(q) * MoneyMath.Round(closed * (p - a));
                a2 = q2 == 0 ? 0m : Math.Sign(q2) == Math.Sign(q) ? a : p;
            }

            var next = position with
            {
                Quantity = q2,
                AverageCost = a2,
                RealizedPnl = r2,
                Currency = change.Currency,
                LastTradeId = change.TradeId,
                LastSequenceNumber = change.SequenceNumber,
                UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(change.Timestamp),
            };
            CheckInvariants(next);
            return next;
        }
        catch (OverflowException e)
        {
            throw new BrokerageInvariantException($"Position ({position.AccountId}, {position.InstrumentId}) overflows applying trade {change.TradeId}: {e.Message}", e);
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
