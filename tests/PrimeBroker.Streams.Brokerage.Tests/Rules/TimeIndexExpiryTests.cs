using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// The expiry of the idempotency and sequence-log time indexes skips the range scan while an account's floor says
/// nothing is old enough: it must remove exactly what a scan on every event removed (the rules' outputs depend on
/// what the sequence log still holds), and scan rarely when nothing expires.
/// </summary>
public sealed class TimeIndexExpiryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RemovesExactlyWhatAScanOnEveryEventRemoved(int seed)
    {
        var random = new Random(seed);
        var expected = new SortedStore();
        var actual = new SortedStore();
        var expiry = new TimeIndexExpiry(actual, _ => { });
        string[] accounts = ["A", "B", "C"];
        var clock = accounts.ToDictionary(a => a, _ => 0L);
        for (int step = 0; step < 4_000; step++)
        {
            string account = accounts[random.Next(accounts.Length)];
            // Event times mostly move forward per account, sometimes jump back (late events) or far ahead.
            long time = clock[account] = random.Next(10) switch
            {
                0 => Math.Max(-5_000, clock[account] - random.Next(200_000)),
                1 => clock[account] + random.Next(5_000_000),
                _ => clock[account] + random.Next(20_000),
            };
            if (random.Next(3) > 0)
            {
                string indexKey = StoreKeys.SequenceByTime(account, time, step);
                expected.Put(indexKey, "entry");
                actual.Put(indexKey, "entry");
                expiry.Added(account, time);
            }

            long horizon = time - random.Next(3) switch { 0 => 10_000, 1 => 300_000, _ => 3_000_000 };
            int max = random.Next(1, 4);
            int want = ScanOnEveryEvent(expected, account, horizon, max);
            int got = expiry.ExpireBefore(account, horizon, max);
            Assert.True(want == got, $"step {step}: {account} horizon {horizon} max {max}: removed {got}, a scan removes {want}");
            Assert.Equal(expected.Keys, actual.Keys);
        }

        Assert.True(expiry.Scans < 4_000, $"{expiry.Scans} scans for 4,000 events");
    }

    [Fact]
    public void AccountsThatExpireNothingAreScannedOnceInAWhileNotOnEveryEvent()
    {
        var store = new SortedStore();
        var expiry = new TimeIndexExpiry(store, _ => { });
        long window = (long)TimeSpan.FromDays(7).TotalMilliseconds;
        long start = 1_800_000_000_000;
        for (int i = 0; i < 1_000; i++)
        {
            // 100 accounts, each with an event every 10 s (the bench's mix has one every ~5 s).
            string account = $"ACC-{i % 100}";
            long time = start + i * 100L;
            store.Put(StoreKeys.IdempotencyByTime(account, time, $"K-{i}"), "key");
            expiry.Added(account, time);
            Assert.Equal(0, expiry.ExpireBefore(account, time - window, 10));
        }

        Assert.Equal(1_000, store.Keys.Count);
        Assert.Equal(100, expiry.Scans); // one per account: the first scan's floor covers the next hour
    }

    [Fact]
    public void TheEntryOfEachRemovedIndexKeyIsDeletedToo()
    {
        var store = new SortedStore();
        var deleted = new List<string>();
        var expiry = new TimeIndexExpiry(store, deleted.Add);
        for (int i = 0; i < 5; i++)
        {
            store.Put(StoreKeys.IdempotencyByTime("A", 1_000 + i, $"K-{i}"), $"entry-{i}");
            expiry.Added("A", 1_000 + i);
        }

        Assert.Equal(2, expiry.ExpireBefore("A", 1_003, max: 2));
        Assert.Equal(["entry-0", "entry-1"], deleted);
        Assert.Equal(1, expiry.ExpireBefore("A", 1_003, max: 2));
        Assert.Equal(["entry-0", "entry-1", "entry-2"], deleted);
        Assert.Equal(0, expiry.ExpireBefore("A", 1_003, max: 2));
    }

    /// <summary>What the logs did before the floors: one range scan of the account's index below the horizon per event.</summary>
    private static int ScanOnEveryEvent(SortedStore store, string account, long horizon, int max)
    {
        var expired = store.Range(StoreKeys.AccountPrefix(account), StoreKeys.IdempotencyByTimeBefore(account, horizon)).Take(max).ToList();
        foreach (var (key, _) in expired)
        {
            store.Delete(key);
        }

        return expired.Count;
    }

    /// <summary>A key-value store in ordinal key order (the order of the keys' UTF-8 bytes for these ASCII keys).</summary>
    private sealed class SortedStore : IKeyValueStore<string, string>
    {
        private readonly SortedDictionary<string, string> _entries = new(StringComparer.Ordinal);

        public List<string> Keys => [.. _entries.Keys];

        public string Name => "index";

        public long ApproximateNumEntries => _entries.Count;

        public string? Get(string key) => _entries.GetValueOrDefault(key);

        public bool TryGet(string key, out string? value) => _entries.TryGetValue(key, out value);

        public IEnumerable<KeyValuePair<string, string>> Range(string? from, string? to) =>
            _entries.Where(e => (from is null || string.CompareOrdinal(e.Key, from) >= 0) && (to is null || string.CompareOrdinal(e.Key, to) < 0)).ToList();

        public IEnumerable<KeyValuePair<string, string>> All() => _entries.ToList();

        public void Put(string key, string? value)
        {
            if (value is null) { _entries.Remove(key); }
            else { _entries[key] = value; }
        }

        public string? PutIfAbsent(string key, string value)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                return existing;
            }

            _entries[key] = value;
            return null;
        }

        public string? Delete(string key)
        {
            _entries.Remove(key, out var old);
            return old;
        }
    }
}
