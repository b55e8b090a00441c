using System.Globalization;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>
/// Per-account expiry of an index by (account, event time, …) (<see cref="StoreKeys.IdempotencyByTime"/>,
/// <see cref="StoreKeys.SequenceByTime"/>): removes the account's oldest entries below a horizon, as a range scan of the
/// account's index did on every event. The scan is what costs (a RocksDB iterator and seek per event and index, ~15 %
/// of the stream thread's processing at 2,000 trades/s), and it almost always finds nothing: so this remembers, per
/// account, a floor, a time at or below the oldest entry the index holds for it, and scans only when the horizon has
/// passed the floor. The entries removed are exactly those the scan on every event removed.
/// </summary>
/// <remarks>
/// <para>The floor is exact because this is the index's only writer for the processor's lifetime: it comes from a scan
/// (the first entry the scan leaves, or the scan's end if it left none) and is lowered by every entry added through
/// <see cref="Added"/>; removals only raise the true oldest time. A processor instance starts with no floors (they are
/// not state): the engine makes new instances when a task starts, after a restore and after an aborted transaction,
/// so a floor never outlives the store contents it describes.</para>
/// <para>A scan reads past the horizon by a look-ahead, to find a floor beyond it: one scan then covers the account's
/// next events until the horizon reaches the first entry it saw. The look-ahead adapts per account so the extra entries
/// stay few: it doubles (up to <see cref="MaxLookAheadMs"/>) when a scan saw none past the horizon and halves (down to
/// none, the old scan's range) when it saw more than <see cref="ExtraEntriesTarget"/>.</para>
/// </remarks>
internal sealed class TimeIndexExpiry(IKeyValueStore<string, string> byTime, Action<string> deleteEntry)
{
    /// <summary>Past this many accounts the floors are dropped (the next scans find them again): bounds the memory.</summary>
    internal const int MaxAccounts = 250_000;

    internal const long MaxLookAheadMs = 24L * 60 * 60 * 1000;

    internal const int ExtraEntriesTarget = 16;

    private const long InitialLookAheadMs = 60 * 60 * 1000;

    private readonly Dictionary<string, Floor> _floors = new(StringComparer.Ordinal);

    /// <summary>Scans since the processor started (tests and benches read it).</summary>
    internal long Scans { get; private set; }

    /// <summary>An entry of the account with this event time was added to the index.</summary>
    public void Added(string accountId, long eventTimeMs)
    {
        if (_floors.TryGetValue(accountId, out var floor))
        {
            floor.Time = Math.Min(floor.Time, KeyTime(eventTimeMs));
        }
    }

    /// <summary>Removes at most <paramref name="max"/> of the account's index entries with event time before
    /// <paramref name="horizonMs"/>, oldest first, each with its entry (<c>deleteEntry</c> gets the index entry's value).</summary>
    /// <returns>How many were removed.</returns>
    public int ExpireBefore(string accountId, long horizonMs, int max)
    {
        // Keys hold event times clamped at 0 (StoreKeys.Number): compare as the keys do.
        long horizon = KeyTime(horizonMs);
        _floors.TryGetValue(accountId, out var floor);
        if (floor is not null && horizon <= floor.Time)
        {
            return 0;
        }

        floor ??= NewFloor(accountId);
        long end = horizon > long.MaxValue - floor.LookAheadMs ? long.MaxValue : horizon + floor.LookAheadMs;
        Scans++;
        int expired = 0;
        int extra = 0;
        long? firstKept = null;
        string prefix = StoreKeys.AccountPrefix(accountId);
        foreach (var (indexKey, key) in byTime.Range(prefix, StoreKeys.IdempotencyByTimeBefore(accountId, end)).ToList())
        {
            long time = TimeOf(indexKey, prefix.Length);
            if (time < horizon && expired < max)
            {
                byTime.Delete(indexKey);
                deleteEntry(key);
                expired++;
                continue;
            }

            firstKept ??= time;
            if (time >= horizon)
            {
                extra++;
            }
        }

        floor.Time = firstKept ?? end;
        floor.LookAheadMs = extra == 0 ? Math.Clamp(floor.LookAheadMs * 2, 1, MaxLookAheadMs)
            : extra > ExtraEntriesTarget ? floor.LookAheadMs / 2
            : floor.LookAheadMs;
        return expired;
    }

    private Floor NewFloor(string accountId)
    {
        if (_floors.Count >= MaxAccounts)
        {
            _floors.Clear();
        }

        var floor = new Floor { Time = 0, LookAheadMs = InitialLookAheadMs };
        _floors[accountId] = floor;
        return floor;
    }

    private static long KeyTime(long eventTimeMs) => Math.Max(0, eventTimeMs);

    /// <summary>The event time of an index key: the 19 digits after the account's prefix.</summary>
    private static long TimeOf(string indexKey, int prefixLength) =>
        long.Parse(indexKey.AsSpan(prefixLength, 19), NumberStyles.None, CultureInfo.InvariantCulture);

    private sealed class Floor
    {
        public long Time;
        public long LookAheadMs;
    }
}
