namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// Totals over the tasks of one instance (or a test driver), read from the counters store: exact, committed with the
/// records they count, restored with the tasks. Immutable.
/// </summary>
/// <param name="Applied">Trade events booked (created, amended, cancelled).</param>
/// <param name="DuplicatesSkipped">Events skipped as duplicates or stale resends by sequence number.</param>
/// <param name="IdempotencySkipped">Events skipped because their idempotency key was applied within the window.</param>
/// <param name="HeldTotal">Events ever held behind a gap.</param>
/// <param name="HeldNow">Events held behind a gap now.</param>
/// <param name="GapsAlerted">Gaps alerted for staying open past the timeout.</param>
/// <param name="GapsResolved">Gaps resolved by an operator command.</param>
/// <param name="GapResolutionsRefused">Operator commands refused (no such gap).</param>
/// <param name="DeadLettered">Dead letters by reason (reasons with none are absent).</param>
public sealed record BrokerageCounters(
    long Applied,
    long DuplicatesSkipped,
    long IdempotencySkipped,
    long HeldTotal,
    long HeldNow,
    long GapsAlerted,
    long GapsResolved,
    long GapResolutionsRefused,
    IReadOnlyDictionary<DeadLetterReason, long> DeadLettered)
{
    /// <summary>All dead letters, whatever the reason.</summary>
    public long DeadLetteredTotal => DeadLettered.Values.Sum();
}
