using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>
/// The applied idempotency keys of a task: <see cref="BrokerageStores.Idempotency"/> ((account, key) → entry) and its
/// index by account and event time <see cref="BrokerageStores.IdempotencyByTime"/> ((account, time, key) → key), so that
/// an account's expiry is a range scan from the start of its own index range, never a full scan, and never touches
/// another account's keys.
/// </summary>
internal sealed class IdempotencyLog(IKeyValueStore<string, IdempotencyEntry> entries, IKeyValueStore<string, string> byTime, TimeSpan window)
{
    private readonly TimeIndexExpiry _expiry = new(byTime, key => entries.Delete(key));

    public static string[] StoreNames => [BrokerageStores.Idempotency, BrokerageStores.IdempotencyByTime];

    /// <summary>Whether the key was applied within the window of <paramref name="eventTimeMs"/> (either side).</summary>
    public bool WasApplied(string accountId, string idempotencyKey, long eventTimeMs, out IdempotencyEntry? entry) =>
        entries.TryGet(StoreKeys.Idempotency(accountId, idempotencyKey), out entry)
        && Math.Abs(eventTimeMs - entry!.EventTimeMs) <= (long)window.TotalMilliseconds;

    /// <summary>Records an applied key (replacing an entry older than the window and its index entry).</summary>
    public void Record(TradeEvent e)
    {
        (string accountId, string idempotencyKey, long eventTimeMs) = (e.AccountId, e.IdempotencyKey, e.Timestamp);
        string key = StoreKeys.Idempotency(accountId, idempotencyKey);
        if (entries.TryGet(key, out IdempotencyEntry? old))
        {
            byTime.Delete(StoreKeys.IdempotencyByTime(accountId, old!.EventTimeMs, idempotencyKey));
        }

        entries.Put(key, new IdempotencyEntry(eventTimeMs, e.TradeId, e.SequenceNumber, EventContent.Digest(e)));
        byTime.Put(StoreKeys.IdempotencyByTime(accountId, eventTimeMs, idempotencyKey), key);
        _expiry.Added(accountId, eventTimeMs);
    }

    /// <summary>Removes at most <paramref name="max"/> of the account's keys with event time before
    /// <paramref name="horizonMs"/>, oldest first.</summary>
    public int ExpireBefore(string accountId, long horizonMs, int max) => _expiry.ExpireBefore(accountId, horizonMs, max);
}
