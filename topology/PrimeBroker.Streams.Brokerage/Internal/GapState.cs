namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>An account's open gap as stored in <see cref="BrokerageStores.Gaps"/>. Times are wall clock, ms since the epoch.</summary>
internal sealed record GapState(long ExpectedSequence, long FirstHeldSequence, int HeldCount, long OpenSinceMs, long OldestHeldSinceMs, bool Alerted)
{
    /// <summary>Checked before writing and after reading.</summary>
    public static void Check(GapState gap)
    {
        if (gap.ExpectedSequence < 1 || gap.FirstHeldSequence <= gap.ExpectedSequence || gap.HeldCount < 1)
        {
            throw new BrokerageInvariantException($"Stored gap is inconsistent: expected {gap.ExpectedSequence}, first held {gap.FirstHeldSequence}, held {gap.HeldCount}.");
        }
    }
}

/// <summary>An event held behind a gap, with the wall-clock time it was held.</summary>
internal sealed record HeldEvent(TradeEvent Event, long HeldSinceMs);

/// <summary>An applied idempotency key: the event time it was applied with and what it applied.</summary>
internal sealed record IdempotencyEntry(long EventTimeMs, string TradeId, long SequenceNumber);

/// <summary>The positions KTable's value: the position and the change that produced it (for <c>PositionUpdated</c>).</summary>
internal sealed record PositionEntry(Position Position, decimal LastQuantityDelta, decimal LastPrice)
{
    public static void Check(PositionEntry entry) => Domain.PositionArithmetic.CheckInvariants(entry.Position);
}
