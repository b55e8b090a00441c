using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Tests.Fakes;
using PrimeBroker.Streams.Engine.Tests.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal.State;

/// <summary>
/// One RocksDB database per task: one batch per commit over every family, each store's checkpoint beside its data,
/// a wipe of one store, reopening, and what a kill leaves on disk without the write-ahead log. A "crash image" is a copy
/// of the database directory taken while the database is open and idle: exactly what a SIGKILL leaves behind (RocksDB
/// keeps nothing in the process that it has handed to the file system; memtables are lost).
/// </summary>
public sealed class StateDatabaseTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly RocksDbMemory _memory = new(blockCacheBytes: 8 << 20, writeBufferBytes: 64 << 20, flushBytes: long.MaxValue);

    [Fact]
    public void ACommitOfATaskIsOneBatchOverEveryFamilyAndCarriesEveryStoresCheckpoint()
    {
        var path = Path.Combine(_directory.Path, "0_0");
        using (var state = Open(path, "a", "b", "c"))
        {
            var before = state.Database!.Batches;

            state.Commit([Write("a", 1, ("k", "a1")), Write("b", 1, ("k", "b1"), ("j", "b1")), Write("c", 1)]);

            Assert.Equal(before + 1, state.Database.Batches);
            AssertStore(state, "a", 1, ("k", "a1"));
            AssertStore(state, "b", 1, ("j", "b1"), ("k", "b1"));
            AssertStore(state, "c", 1);
        }

        using var reopened = Open(path, "a", "b", "c");
        AssertStore(reopened, "a", 1, ("k", "a1"));
        AssertStore(reopened, "b", 1, ("j", "b1"), ("k", "b1"));
        AssertStore(reopened, "c", 1);
    }

    [Fact]
    public void AStoreLeftOutOfACommitKeepsItsDataAndCheckpoint()
    {
        using var state = Open(Path.Combine(_directory.Path, "0_0"), "a", "b");
        state.Commit([Write("a", 1, ("k", "a1")), Write("b", 1, ("k", "b1"))]);

        state.Commit([Write("a", 2, ("k", "a2"))]);

        AssertStore(state, "a", 2, ("k", "a2"));
        AssertStore(state, "b", 1, ("k", "b1"));
    }

    [Fact]
    public void WithoutWriteAheadLogAKillKeepsTheLastFlushedBatchOfEveryFamilyTogether()
    {
        var path = Path.Combine(_directory.Path, "0_0");
        using var state = Open(path, "a", "b");
        Assert.False(state.Database!.WriteAheadLog);
        state.Commit([Write("a", 1, ("k", "a1")), Write("b", 1, ("k", "b1"))]);
        state.Database.FlushAndWait();
        state.Commit([Write("a", 2, ("k", "a2"), ("x", "a2")), Write("b", 2, ("k", "b2"))]);

        using (var killed = Open(CrashImage(path), "a", "b"))
        {
            // Commit 2 was only in memory: both stores are back at commit 1, data and checkpoint alike. The task then
            // restores the changelog tail from offset 1 of each store.
            AssertStore(killed, "a", 1, ("k", "a1"));
            AssertStore(killed, "b", 1, ("k", "b1"));
        }

        state.Database.FlushAndWait();
        using var flushed = Open(CrashImage(path), "a", "b");
        AssertStore(flushed, "a", 2, ("k", "a2"), ("x", "a2"));
        AssertStore(flushed, "b", 2, ("k", "b2"));
    }

    [Fact]
    public void WithoutWriteAheadLogTheDatabaseFlushesOnceTheBoundIsWritten()
    {
        using var memory = new RocksDbMemory(8 << 20, 64 << 20, flushBytes: 200);
        var path = Path.Combine(_directory.Path, "0_0");
        using var state = TaskState.Open(_directory.Path, new(0, 0), [Logged("a"), Logged("b")], memory);
        state.Commit([Write("a", 1, ("k", "a1")), Write("b", 1, ("k", "b1"))]);
        Assert.False(state.Database!.FlushPending);

        // Commit 2 brings the bytes since the last flush past 200: a flush starts in the background.
        state.Commit([Write("a", 2, ("k", new string('a', 150))), Write("b", 2, ("k", "b2"))]);

        Assert.True(SpinWait.SpinUntil(() => !state.Database.FlushPending, TimeSpan.FromSeconds(30)), "the background flush did not finish within 30 s");

        using var killed = Open(CrashImage(path), "a", "b");
        AssertStore(killed, "a", 2, ("k", new string('a', 150)));
        AssertStore(killed, "b", 2, ("k", "b2"));
    }

    [Fact]
    public void WithAStoreWithoutChangelogTheWriteAheadLogKeepsEveryBatchThroughAKill()
    {
        var path = Path.Combine(_directory.Path, "0_0");
        using var state = TaskState.Open(_directory.Path, new(0, 0), [Logged("a"), Unlogged("u")], _memory);
        Assert.True(state.Database!.WriteAheadLog);
        state.Commit([Write("a", 1, ("k", "a1")), Write("u", 1, ("k", "u1"))]);

        using var killed = TaskState.Open(Path.GetDirectoryName(CrashImage(path, "0_0"))!, new(0, 0), [Logged("a"), Unlogged("u")], _memory);
        AssertStore(killed, "a", 1, ("k", "a1"));
        AssertStore(killed, "u", 1, ("k", "u1"));
    }

    [Fact]
    public void AWipeOfOneStoreLeavesTheOthers()
    {
        var path = Path.Combine(_directory.Path, "0_0");
        using (var state = Open(path, "a", "b"))
        {
            state.Commit([Write("a", 3, ("k", "a3")), Write("b", 3, ("k", "b3"))]);

            state.Stores["a"].Wipe();

            AssertStore(state, "a", null);
            AssertStore(state, "b", 3, ("k", "b3"));
            state.Commit([Write("a", 4, ("n", "a4")), Write("b", 4, ("k", "b4"))]);
        }

        using var reopened = Open(path, "a", "b");
        AssertStore(reopened, "a", 4, ("n", "a4"));
        AssertStore(reopened, "b", 4, ("k", "b4"));
    }

    [Fact]
    public void AKillInsideAWipeLeavesTheStoreEmptyNotAnOldCheckpointOverNoData()
    {
        var path = Path.Combine(_directory.Path, "0_0");
        using var state = Open(path, "a", "b");
        state.Commit([Write("a", 3, ("k", "a3")), Write("b", 3, ("k", "b3"))]);
        state.Database!.FlushAndWait();
        string? image = null;
        state.Database.BetweenWipeSteps = () => image = CrashImage(path);

        state.Stores["a"].Wipe();

        // On disk at the kill: a's data, no checkpoint for a. Opening drops data that no checkpoint describes.
        using var killed = Open(image!, "a", "b");
        AssertStore(killed, "a", null);
        AssertStore(killed, "b", 3, ("k", "b3"));
    }

    [Fact]
    public void AStoreNoLongerInTheTaskIsDroppedWithItsCheckpoint()
    {
        var path = Path.Combine(_directory.Path, "0_0");
        using (var state = Open(path, "a", "b"))
        {
            state.Commit([Write("a", 1, ("k", "a1")), Write("b", 1, ("k", "b1"))]);
        }

        using (Open(path, "a"))
        {
        }

        using var again = Open(path, "a", "b");
        AssertStore(again, "a", 1, ("k", "a1"));
        AssertStore(again, "b", null);
    }

    [Fact]
    public void EveryDatabaseOfAnApplicationChargesTheOneWriteBufferManager()
    {
        using var first = Open(Path.Combine(_directory.Path, "0_0"), "a");
        using var second = Open(Path.Combine(_directory.Path, "0_1"), "a");
        var empty = _memory.WriteBufferUsage;

        first.Commit([Write("a", 1, Enumerable.Range(0, 200).Select(i => ($"k{i}", new string('x', 100))).ToArray())]);
        var afterFirst = _memory.WriteBufferUsage;
        second.Commit([Write("a", 1, Enumerable.Range(0, 200).Select(i => ($"k{i}", new string('x', 100))).ToArray())]);
        var afterSecond = _memory.WriteBufferUsage;

        Assert.True(afterFirst > empty, $"memtable usage {empty} -> {afterFirst} after writing to the first database");
        Assert.True(afterSecond > afterFirst, $"memtable usage {afterFirst} -> {afterSecond} after writing to the second database");
    }

    [Fact]
    public void AFamilyWithAFewKilobytesChargesTheWriteBufferManagerAboutOneSmallArenaBlock()
    {
        // With RocksDB's default arena block (an eighth of the memtable, 128 KiB) every family with a write charged at
        // least that, and a host's 20 tasks of 14 families passed the manager's flush trigger with almost no data.
        var stores = Enumerable.Range(0, 20).Select(i => $"s{i}").ToArray();
        using var state = Open(Path.Combine(_directory.Path, "0_0"), stores);
        var empty = _memory.WriteBufferUsage;

        state.Commit(stores.Select(s => Write(s, 1, Enumerable.Range(0, 30).Select(i => ($"k{i}", new string('x', 100))).ToArray())).ToList());

        var perFamily = (_memory.WriteBufferUsage - empty) / stores.Length;
        Assert.True(perFamily <= 2 * (long)RocksDbMemory.FamilyArenaBlockBytes,
            $"a family holding about 3 KiB charged {perFamily} bytes to the write-buffer manager (arena block {RocksDbMemory.FamilyArenaBlockBytes})");
    }

    [Fact]
    public void ReadsOfEveryDatabaseOfAnApplicationFillTheOneBlockCache()
    {
        using var first = Open(Path.Combine(_directory.Path, "0_0"), "a");
        using var second = Open(Path.Combine(_directory.Path, "0_1"), "a");
        first.Commit([Write("a", 1, ("k", "v1"))]);
        second.Commit([Write("a", 1, ("k", "v2"))]);
        first.Database!.FlushAndWait();
        second.Database!.FlushAndWait();

        var before = _memory.BlockCacheUsage;
        Assert.Equal("v1"u8.ToArray(), first.Stores["a"].Get("k"u8.ToArray()));
        var afterFirst = _memory.BlockCacheUsage;
        Assert.Equal("v2"u8.ToArray(), second.Stores["a"].Get("k"u8.ToArray()));
        var afterSecond = _memory.BlockCacheUsage;

        Assert.True(afterFirst > before, $"block cache usage {before} -> {afterFirst} after a read from the first database's file");
        Assert.True(afterSecond > afterFirst, $"block cache usage {afterFirst} -> {afterSecond} after a read from the second database's file");
    }

    [Fact]
    public void ATaskCommitThroughTheEngineWritesOneBatchWithBothStoresCheckpoints()
    {
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster: true, partitions: 1, stateDirectory: _directory.Path);
        var task = app.Driver.TasksWithStore("counts").Single();
        var database = task.State.Database!;
        var before = database.Batches;

        app.PipeMany(10, keys: 3);
        app.Driver.Commit();

        Assert.Equal(before + 1, database.Batches);
        Assert.All(task.Stores.Values, s => Assert.True(s.Inner.Checkpoint!.Checkpoint.SameCommit(task.Committed), $"store {s.Name}"));
        Assert.All(task.Stores.Values, s => Assert.Equal(app.Driver.ReadPartition(s.ChangelogTopic!, 0).Max(r => r.Offset) + 1, s.Inner.Checkpoint!.ChangelogNextOffset));

        app.Driver.Commit();
        Assert.Equal(before + 1, database.Batches); // nothing to commit, nothing written

        app.Driver.SimulateCrash();
        app.AssertExact();
    }

    public void Dispose()
    {
        _memory.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void WithoutTheBoundADatabaseKeepsRocksDbsDefaultsAndChargesNoSharedCacheOrManager()
    {
        using var unbounded = new RocksDbMemory(8 << 20, 64 << 20, flushBytes: long.MaxValue, bounded: false);
        var path = Path.Combine(_directory.Path, "0_0");
        using (var state = TaskState.Open(_directory.Path, new(0, 0), [Logged("a")], unbounded))
        {
            state.Commit([Write("a", 1, Enumerable.Range(0, 200).Select(i => ($"k{i}", new string('x', 100))).ToArray())]);
            state.Database!.FlushAndWait();
            Assert.Equal(new string('x', 100), Text(state.Stores["a"].Get(Bytes("k7"))!));
        }

        Assert.False(unbounded.Bounded);
        Assert.Equal(0, unbounded.BlockCacheUsage);
        Assert.Equal(0, unbounded.WriteBufferUsage);
        using var reopened = TaskState.Open(_directory.Path, new(0, 0), [Logged("a")], unbounded);
        Assert.Equal(200, reopened.Stores["a"].Range(null, null).Count());
        Assert.True(Directory.Exists(path), $"the task's database directory {path} exists");
    }

    private TaskState Open(string path, params string[] stores) =>
        TaskState.Open(Path.GetDirectoryName(path)!, ParseTask(Path.GetFileName(path)), stores.Select(Logged).ToList(), _memory);

    private static Engine.Processing.TaskId ParseTask(string name) => new(int.Parse(name.Split('_')[0]), int.Parse(name.Split('_')[1]));

    /// <summary>Copies a live database's directory into a new task directory, as a SIGKILL would leave it.</summary>
    private string CrashImage(string path, string task = "9_9")
    {
        var image = Path.Combine(_directory.Path, "images", Guid.NewGuid().ToString("N"), task);
        Directory.CreateDirectory(image);
        foreach (var file in Directory.EnumerateFiles(path))
        {
            File.Copy(file, Path.Combine(image, Path.GetFileName(file)));
        }

        return image;
    }

    private static StoreWrite Write(string store, long sequence, params (string Key, string Value)[] data) =>
        new(store, data.Select(d => new KeyValuePair<byte[], byte[]?>(Bytes(d.Key), Bytes(d.Value))).ToList(), Checkpoint(sequence));

    private static LocalCheckpoint Checkpoint(long sequence) =>
        new(new StoreCheckpoint(sequence, new Dictionary<TopicPartition, long> { [new TopicPartition("in", 0)] = sequence * 10 }, Attempt: sequence + 100), sequence * 7);

    private static void AssertStore(TaskState state, string store, long? sequence, params (string Key, string Value)[] data)
    {
        var actual = state.Stores[store].Range(null, null).Select(e => (Text(e.Key), Text(e.Value))).ToList();
        Assert.Equal(data.OrderBy(d => d.Key, StringComparer.Ordinal).ToList(), actual);
        var checkpoint = state.Stores[store].Checkpoint;
        if (sequence is null)
        {
            Assert.Null(checkpoint);
            return;
        }

        Assert.NotNull(checkpoint);
        Assert.True(checkpoint.Checkpoint.SameCommit(Checkpoint(sequence.Value).Checkpoint), $"store {store} at #{checkpoint.Checkpoint.CommitSequence}, expected #{sequence}");
        Assert.Equal(sequence * 7, checkpoint.ChangelogNextOffset);
    }

    private static Engine.State.StoreBuilder Logged(string name) =>
        Engine.State.Stores.PersistentKeyValueStore(name, Serdes.String, Serdes.String);

    private static Engine.State.StoreBuilder Unlogged(string name) =>
        Engine.State.Stores.PersistentKeyValueStore(name, Serdes.String, Serdes.String) with { LoggingEnabled = false };

    private static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => System.Text.Encoding.UTF8.GetString(b);
}
