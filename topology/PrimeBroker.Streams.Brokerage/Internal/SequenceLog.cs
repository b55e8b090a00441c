namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>What consumed an account's sequence number: the event's time, kind, ids and <see cref="EventContent"/> digest.</summary>
internal sealed record SequenceEntry(long EventTimeMs, TradeEventKind Kind, string TradeId, string IdempotencyKey, string Digest);

/// <summary>
/// The sequence numbers a task's accounts consumed, with what consumed them, so a later event under a used number is
/// told apart: the same content is a resend (skipped, counted), other content a conflict (dead-lettered, alerted).
/// <see cref="BrokerageStores.SequenceLog"/> ((account, sequence) → entry) and its index by account and event time
/// <see cref="BrokerageStores.SequenceLogByTime"/>; entries live as long as idempotency keys (within
/// <see cref="BrokerageOptions.IdempotencyWindow"/> of the account's later events), expired per account by a range scan.
/// </summary>
internal sealed class SequenceLog(Engine.State.IKeyValueStore<string, SequenceEntry> entries, Engine.State.IKeyValueStore<string, string> byTime)
{
    private readonly TimeIndexExpiry _expiry = new(byTime, key => entries.Delete(key));

    public static string[] StoreNames => [BrokerageStores.SequenceLog, BrokerageStores.SequenceLogByTime];

    public SequenceEntry? Find(string accountId, long sequenceNumber) =>
        entries.TryGet(StoreKeys.Pending(accountId, sequenceNumber), out SequenceEntry? entry) ? entry : null;

    public void Record(TradeEvent e)
    {
        string key = StoreKeys.Pending(e.AccountId, e.SequenceNumber);
        if (entries.TryGet(key, out SequenceEntry? old))
        {
            byTime.Delete(StoreKeys.SequenceByTime(e.AccountId, old!.EventTimeMs, e.SequenceNumber));
        }

        entries.Put(key, new SequenceEntry(e.Timestamp, e.Kind, e.TradeId, e.IdempotencyKey, EventContent.Digest(e)));
        byTime.Put(StoreKeys.SequenceByTime(e.AccountId, e.Timestamp, e.SequenceNumber), key);
        _expiry.Added(e.AccountId, e.Timestamp);
    }

    /// <summary>Removes at most <paramref name="max"/> of the account's entries with event time before
    /// <paramref name="horizonMs"/>, oldest first.</summary>
    public int ExpireBefore(string accountId, long horizonMs, int max) => _expiry.ExpireBefore(accountId, horizonMs, max);
}
