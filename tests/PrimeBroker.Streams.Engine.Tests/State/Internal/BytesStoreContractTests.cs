using System.Text;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.State.Internal;

/// <summary>The <see cref="IBytesStore"/> contract, run against every implementation by a subclass.</summary>
public abstract class BytesStoreContractTests : IDisposable
{
    private static readonly byte[] s_a = "a"u8.ToArray();
    private static readonly byte[] s_b = "b"u8.ToArray();

    protected BytesStoreContractTests()
    {
        Store = Open();
    }

    private protected IBytesStore Store { get; private set; }

    /// <summary>Opens the store under test; called again by <see cref="Reopen"/> where the store is durable.</summary>
    private protected abstract IBytesStore Open();

    /// <summary>Whether a reopened store sees what the previous instance applied.</summary>
    protected abstract bool IsDurable { get; }

    [Fact]
    public void GetReturnsNullForAnAbsentKey()
    {
        Assert.Null(Store.Get(s_a));
        Assert.Null(Store.Checkpoint);
    }

    [Fact]
    public void ApplyWritesValuesAndCheckpoint()
    {
        Store.Apply([Kv(s_a, [1]), Kv(s_b, [2])], Checkpoint(1, 10));

        Assert.Equal([1], Store.Get(s_a));
        Assert.Equal([2], Store.Get(s_b));
        AssertCheckpoint(1, 10, Store.Checkpoint);
    }

    [Fact]
    public void NullValueDeletesTheKey()
    {
        Store.Apply([Kv(s_a, [1]), Kv(s_b, [2])], Checkpoint(1, 10));

        Store.Apply([Kv(s_a, null)], Checkpoint(2, 20));

        Assert.Null(Store.Get(s_a));
        Assert.Single(Store.Range(null, null));
        AssertCheckpoint(2, 20, Store.Checkpoint);
    }

    [Fact]
    public void LaterWriteOfAKeyInOneBatchWins()
    {
        Store.Apply([Kv(s_a, [1]), Kv(s_a, [2]), Kv(s_b, [3]), Kv(s_b, null)], Checkpoint(1, 1));

        Assert.Equal([2], Store.Get(s_a));
        Assert.Null(Store.Get(s_b));
    }

    [Fact]
    public void RangeOrdersKeysAsUnsignedBytes()
    {
        byte[][] keys = [[0xFF], [0x80, 0x00], [0x7F], [0x00], [0x01, 0x02], [0x01], [0xC3, 0xA9]];
        Store.Apply(keys.Select(k => Kv(k, k)), Checkpoint(1, 1));

        var all = Store.Range(null, null).Select(e => Hex(e.Key)).ToList();

        Assert.Equal(["00", "01", "0102", "7F", "8000", "C3A9", "FF"], all);
        Assert.All(Store.Range(null, null), e => Assert.Equal(e.Key, e.Value));
    }

    [Fact]
    public void RangeIncludesFromAndExcludesTo()
    {
        byte[][] keys = [[0x10], [0x20], [0x7F], [0x80], [0x90], [0xFF]];
        Store.Apply(keys.Select(k => Kv(k, [1])), Checkpoint(1, 1));

        Assert.Equal(["20", "7F", "80"], Store.Range([0x20], [0x90]).Select(e => Hex(e.Key)));
        Assert.Equal(["80", "90", "FF"], Store.Range([0x80], null).Select(e => Hex(e.Key)));
        Assert.Equal(["10", "20"], Store.Range(null, [0x21]).Select(e => Hex(e.Key)));
        Assert.Empty(Store.Range([0x91], [0xFE]));
    }

    [Fact]
    public void RangeOfStringKeysFollowsUtf8ByteOrder()
    {
        string[] keys = ["été", "zebra", "Zebra", "apple", "äpfel"];
        Store.Apply(keys.Select(k => Kv(Encoding.UTF8.GetBytes(k), [1])), Checkpoint(1, 1));

        Assert.Equal(["Zebra", "apple", "zebra", "äpfel", "été"], Store.Range(null, null).Select(e => Encoding.UTF8.GetString(e.Key)));
    }

    [Fact]
    public void CheckpointRoundTripsWithInputOffsets()
    {
        var checkpoint = new LocalCheckpoint(new StoreCheckpoint(42, new Dictionary<TopicPartition, long>
        {
            [new TopicPartition("orders", 3)] = 1234,
            [new TopicPartition("app-x-repartition", 3)] = 99,
        }, Attempt: 0x1234_5678_9ABC), 777);

        Store.Apply([], checkpoint);

        var read = Store.Checkpoint!;
        Assert.Equal(777, read.ChangelogNextOffset);
        Assert.True(read.Checkpoint.SameCommit(checkpoint.Checkpoint));
        Assert.Equal(checkpoint.Checkpoint.InputOffsets.OrderBy(e => e.Key.Topic), read.Checkpoint.InputOffsets.OrderBy(e => e.Key.Topic));
    }

    [Fact]
    public void ReopenedStoreSeesDataAndCheckpointOfTheSameBatch()
    {
        if (!IsDurable)
        {
            return;
        }

        Store.Apply([Kv(s_a, [1])], Checkpoint(1, 5));
        Store.Apply([Kv(s_a, [2]), Kv(s_b, [3])], Checkpoint(2, 9));

        Reopen();

        Assert.Equal([2], Store.Get(s_a));
        Assert.Equal([3], Store.Get(s_b));
        AssertCheckpoint(2, 9, Store.Checkpoint);
    }

    [Fact]
    public void WipeClearsDataAndCheckpoint()
    {
        Store.Apply([Kv(s_a, [1]), Kv(s_b, [2])], Checkpoint(1, 5));

        Store.Wipe();

        Assert.Null(Store.Get(s_a));
        Assert.Empty(Store.Range(null, null));
        Assert.Null(Store.Checkpoint);
        Store.Apply([Kv(s_b, [7])], Checkpoint(2, 6));
        Assert.Equal([7], Store.Get(s_b));
        if (IsDurable)
        {
            Reopen();
            Assert.Null(Store.Get(s_a));
            AssertCheckpoint(2, 6, Store.Checkpoint);
        }
    }

    [Fact]
    public void ApproximateCountIsZeroWhenEmptyAndCountsAppliedKeys()
    {
        // Exact for both stores here: in memory it is the dictionary's count; RocksDB's estimate-num-keys is exact
        // while every write is still in the memtable (entries minus twice the deletes), as in a store this small. It
        // becomes an estimate only once compaction merges files.
        Assert.Equal(0, Store.ApproximateCount);

        Store.Apply([Kv(s_a, [1]), Kv(s_b, [2]), Kv("c"u8.ToArray(), [3])], Checkpoint(1, 3));
        Assert.Equal(3, Store.ApproximateCount);

        Store.Apply([Kv(s_b, null)], Checkpoint(2, 4));
        Assert.Equal(2, Store.ApproximateCount);
    }

    public virtual void Dispose() => Store.Dispose();

    protected void Reopen()
    {
        Store.Dispose();
        Store = Open();
    }

    private protected static KeyValuePair<byte[], byte[]?> Kv(byte[] key, byte[]? value) => new(key, value);

    private protected static LocalCheckpoint Checkpoint(long sequence, long changelogNext) =>
        new(new StoreCheckpoint(sequence, new Dictionary<TopicPartition, long> { [new TopicPartition("in", 0)] = sequence * 10 }, Attempt: sequence + 100), changelogNext);

    private static void AssertCheckpoint(long sequence, long changelogNext, LocalCheckpoint? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(changelogNext, actual.ChangelogNextOffset);
        Assert.True(actual.Checkpoint.SameCommit(Checkpoint(sequence, changelogNext).Checkpoint));
        Assert.Equal(sequence * 10, actual.Checkpoint.InputOffsets[new TopicPartition("in", 0)]);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);
}

public sealed class InMemoryBytesStoreTests : BytesStoreContractTests
{
    protected override bool IsDurable => false;

    private protected override IBytesStore Open() => new InMemoryBytesStore("store");
}

/// <summary>The contract on a store that is one column family of a task's RocksDB database, next to another store.</summary>
public abstract class ColumnFamilyStoreContractTests : BytesStoreContractTests
{
    private TempDirectory? _directory;

    protected override bool IsDurable => true;

    /// <summary>Every store has a changelog (no write-ahead log) or not.</summary>
    private protected abstract bool Changelogged { get; }

    private protected override IBytesStore Open() => OpenIn("0_0", "store");

    [Fact]
    public void AFullScanHoldsTheLockPerPageSoAClosingTaskDoesNotWaitForTheWholeCopy()
    {
        var store = (StateDatabase.ColumnFamilyStore)OpenIn("0_1", "paged");
        store = WithPageSize(store, 2);
        store.Apply(Enumerable.Range(0, 5).Select(i => Kv([(byte)i], [(byte)i])), Checkpoint(1, 5));
        var closed = false;
        store.BetweenPages = () =>
        {
            // The task closes (rebalance) on another thread while a query is between pages: it must not wait for the scan.
            var close = Task.Run(store.Dispose);
            closed = close.Wait(TimeSpan.FromSeconds(30));
            store.BetweenPages = null;
        };

        Assert.Throws<ObjectDisposedException>(() => store.Range(null, null));
        Assert.True(closed, "Dispose waited for the scan to finish: the lifecycle lock is held across pages.");
    }

    [Fact]
    public void APagedScanIsOneConsistentSnapshotAcrossPages()
    {
        var store = WithPageSize((StateDatabase.ColumnFamilyStore)OpenIn("0_2", "snap"), 2);
        store.Apply(Enumerable.Range(0, 5).Select(i => Kv([(byte)i], [(byte)i])), Checkpoint(1, 5));
        store.BetweenPages = () =>
        {
            // A commit between two pages must not show in the scan that started before it.
            store.Apply([Kv([4], [40]), Kv([9], [9])], Checkpoint(2, 7));
            store.BetweenPages = null;
        };

        var all = store.Range(null, null);

        Assert.Equal([0, 1, 2, 3, 4], all.Select(e => (int)e.Key[0]));
        Assert.Equal([4], all[4].Value);
        Assert.Equal(6, store.Range(null, null).Count);
        store.Dispose();
    }

    [Fact]
    public void AWipeBetweenPagesFailsTheScanInsteadOfMixingTwoStates()
    {
        var store = WithPageSize((StateDatabase.ColumnFamilyStore)OpenIn("0_3", "wiped"), 2);
        store.Apply(Enumerable.Range(0, 5).Select(i => Kv([(byte)i], [(byte)i])), Checkpoint(1, 5));
        store.BetweenPages = () =>
        {
            store.Wipe();
            store.BetweenPages = null;
        };

        Assert.Throws<ObjectDisposedException>(() => store.Range(null, null));
        Assert.Empty(store.Range(null, null));
        store.Dispose();
    }

    [Fact]
    public void UseAfterDisposeThrowsObjectDisposed()
    {
        Store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Store.Get([1]));
    }

    public override void Dispose()
    {
        base.Dispose();
        _directory?.Dispose();
    }

    private IBytesStore OpenIn(string task, string name)
    {
        _directory ??= new TempDirectory();
        var database = StateDatabase.Open(Path.Combine(_directory.Path, task), ["other", name], Changelogged, RocksDbMemory.Default);
        return database.Stores[name];
    }

    private static StateDatabase.ColumnFamilyStore WithPageSize(StateDatabase.ColumnFamilyStore store, int pageSize)
    {
        store.PageSize = pageSize;
        return store;
    }
}

/// <summary>Without write-ahead log: every store of the database has a changelog.</summary>
public sealed class ColumnFamilyStoreTests : ColumnFamilyStoreContractTests
{
    private protected override bool Changelogged => true;
}

/// <summary>With write-ahead log: some store of the database has no changelog.</summary>
public sealed class ColumnFamilyStoreWithWriteAheadLogTests : ColumnFamilyStoreContractTests
{
    private protected override bool Changelogged => false;
}
