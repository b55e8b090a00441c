namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// An account's open sequence gap: events from <see cref="FirstHeldSequence"/> on are held until the numbers
/// <see cref="ExpectedSequence"/> .. <see cref="FirstHeldSequence"/> − 1 arrive or an operator resolves the gap.
/// Immutable.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="ExpectedSequence">The first missing sequence number (the next one the account needs).</param>
/// <param name="FirstHeldSequence">The lowest held sequence number.</param>
/// <param name="HeldCount">How many events are held for the account.</param>
/// <param name="OpenSince">When the gap (as it is now) opened, UTC: the Kafka timestamp of the record that opened it
/// (the first event held behind it, or the record that moved it), never later than the wall clock when it was processed.
/// Kept in the gap state, and the same when a new owner processes the records again after a failover.</param>
/// <param name="Alerted">Whether the gap outlived <see cref="BrokerageOptions.GapAlertAfter"/> and was alerted.</param>
public sealed record SequenceGap(string AccountId, long ExpectedSequence, long FirstHeldSequence, int HeldCount, DateTimeOffset OpenSince, bool Alerted)
{
    /// <summary>The last missing sequence number: <see cref="FirstHeldSequence"/> − 1.</summary>
    public long MissingTo => FirstHeldSequence - 1;

    /// <summary>Since when the oldest held event waits: the earliest Kafka timestamp of the held events (each capped
    /// at the wall clock when it was held), UTC. Survives a failover like <see cref="OpenSince"/>.</summary>
    public DateTimeOffset OldestHeldSince { get; init; }

    /// <summary>Records of this account on <c>trade-events</c> (<c>partition:offset</c>; their dead letters carry them as
    /// <c>sourcePartition</c> and <c>sourceOffset</c>) dead-lettered undecoded because the registry was down: their
    /// sequence numbers are unknown and may be the missing ones; a re-drive as is fills their places. Empty when there
    /// are none.</summary>
    public IReadOnlyList<string> AwaitingRedrive { get; init; } = [];

    /// <summary>How long events have been held at <paramref name="now"/>: <paramref name="now"/> −
    /// <see cref="OldestHeldSince"/>, never negative.</summary>
    public TimeSpan HeldFor(DateTimeOffset now) => now > OldestHeldSince ? now - OldestHeldSince : TimeSpan.Zero;
}
