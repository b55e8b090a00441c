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
/// <param name="OpenSince">Wall-clock time the gap (as it is now) opened, UTC.</param>
/// <param name="Alerted">Whether the gap outlived <see cref="BrokerageOptions.GapAlertAfter"/> and was alerted.</param>
public sealed record SequenceGap(string AccountId, long ExpectedSequence, long FirstHeldSequence, int HeldCount, DateTimeOffset OpenSince, bool Alerted)
{
    /// <summary>The last missing sequence number: <see cref="FirstHeldSequence"/> − 1.</summary>
    public long MissingTo => FirstHeldSequence - 1;
}
