namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>
/// An account's open gap as stored in <see cref="BrokerageStores.Gaps"/>, times in ms since the epoch.
/// <see cref="OpenSinceMs"/> and <see cref="OldestHeldSinceMs"/> are the wall clock of the processing that saw them
/// (the alert timer and the retention check; a new owner that processes the records again restarts them), while
/// <see cref="OpenedAtMs"/> and <see cref="OldestHeldAtMs"/> are what is reported: the Kafka timestamps of the record
/// that opened the gap and of the oldest held record, each capped at the wall clock, so the same after a failover.
/// </summary>
internal sealed record GapState(long ExpectedSequence, long FirstHeldSequence, int HeldCount, long OpenSinceMs, long OldestHeldSinceMs, bool Alerted,
    long? OpenedAtMs = null, long? OldestHeldAtMs = null)
{
    /// <summary>When the gap opened, as reported (gaps stored before the record times were kept: the wall clock).</summary>
    public long ReportedOpenSinceMs => OpenedAtMs ?? OpenSinceMs;

    /// <summary>Since when the oldest held event waits, as reported.</summary>
    public long ReportedOldestHeldMs => OldestHeldAtMs ?? OldestHeldSinceMs;

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
internal sealed record HeldEvent(TradeEvent Event, long HeldSinceMs)
{
    /// <summary>When it was held as reported: its record's Kafka timestamp, capped at the wall clock it was held at.</summary>
    public long HeldAtMs => Math.Min(Event.Source.Timestamp, HeldSinceMs);
}

/// <summary>An applied idempotency key: the event time it was applied with and what it applied (its
/// <see cref="EventContent"/> digest; null in entries written before the digest was kept, which are not compared).</summary>
internal sealed record IdempotencyEntry(long EventTimeMs, string TradeId, long SequenceNumber, string? Digest = null);

/// <summary>
/// The positions store's value: the reported position (rounded), the change that produced it (for
/// <c>PositionUpdated</c>), and the exact state behind it: <see cref="Basis"/> after every live trade, and
/// <see cref="Base"/>, the state before the oldest trade still in the position's history (trades folded into it, up to
/// sequence <see cref="FoldedThrough"/>, can no longer be amended or cancelled).
/// </summary>
internal sealed record PositionEntry(Position Position, decimal LastQuantityDelta, decimal LastPrice)
{
    public required Domain.CostBasis Basis { get; init; }

    public required Domain.CostBasis Base { get; init; }

    public long FoldedThrough { get; init; }

    public int HistoryCount { get; init; }

    public static void Check(PositionEntry entry)
    {
        Domain.PositionArithmetic.CheckInvariants(entry.Position);
        if (entry.Basis is null || entry.Base is null || entry.Basis.Quantity != entry.Position.Quantity || entry.HistoryCount < 0 || entry.FoldedThrough < 0)
        {
            throw new BrokerageInvariantException(
                $"Stored position ({entry.Position.AccountId}, {entry.Position.InstrumentId}) is inconsistent with its cost basis: quantity {entry.Position.Quantity}, basis {entry.Basis}, history {entry.HistoryCount}.");
        }
    }
}

/// <summary>
/// A record of <c>trade-events</c> dead-lettered undecoded because the registry stayed down (finding 9 of issue 18):
/// where it was (its dead letter names the same partition and offset) and its original value, so that a later re-drive
/// can be recognised. Its sequence number is inside the bytes, unknown until they can be decoded.
/// </summary>
internal sealed record AwaitingRedrive(int Partition, long Offset, byte[]? Value, long DeadLetteredAtMs)
{
    /// <summary>The id <c>dlq --redrive</c> takes: <c>partition:offset</c>.</summary>
    public string Id => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Partition}:{Offset}");
}
