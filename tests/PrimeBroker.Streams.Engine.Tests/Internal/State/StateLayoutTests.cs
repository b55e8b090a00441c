using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Internal.State;

/// <summary>State directories in the per-store layout of earlier versions (one RocksDB per store) are discarded; the
/// tasks restore from their changelogs.</summary>
public sealed class StateLayoutTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public void AtStartOnlyTheDirectoriesInThePerStoreLayoutAreDeleted()
    {
        OldLayoutStore("0_0", "counts");
        OldLayoutStore("global", "instruments");
        using (TaskState.Open(_directory.Path, new(0, 1), [Store("counts")], RocksDbMemory.Default))
        {
        }

        Directory.CreateDirectory(Path.Combine(_directory.Path, "0_2")); // a task directory not yet written
        File.WriteAllText(Path.Combine(_directory.Path, "process.id"), "x");

        var discarded = StateLayout.DiscardPerStoreLayout(_directory.Path);

        Assert.Equal(["0_0", "global"], discarded);
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "0_0")));
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "global")));
        Assert.True(File.Exists(Path.Combine(_directory.Path, "0_1", "CURRENT")));
        Assert.True(Directory.Exists(Path.Combine(_directory.Path, "0_2")));
        Assert.Empty(StateLayout.DiscardPerStoreLayout(_directory.Path));
    }

    [Fact]
    public void ATaskOpenedOverThePerStoreLayoutStartsEmptyAndRestoresFromItsChangelog()
    {
        OldLayoutStore("0_0", "counts");

        using var state = TaskState.Open(_directory.Path, new(0, 0), [Store("counts")], RocksDbMemory.Default);

        Assert.Null(state.Stores["counts"].Checkpoint);
        Assert.Empty(state.Stores["counts"].Range(null, null));
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "0_0", "counts")));
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>A real RocksDB database with data and checkpoint in <c>&lt;task&gt;/&lt;store&gt;/</c>, as earlier versions
    /// wrote it (the database of that version was one per store; a database in the subdirectory is the same on disk).</summary>
    private void OldLayoutStore(string task, string store)
    {
        var path = Path.Combine(_directory.Path, task, store);
        using var database = StateDatabase.Open(path, [store], changelogged: false, RocksDbMemory.Default);
        database.Stores[store].Apply([new("k"u8.ToArray(), "v"u8.ToArray())], new LocalCheckpoint(StoreCheckpoint.Empty, 5));
        Assert.True(File.Exists(Path.Combine(path, "CURRENT")));
    }

    private static Engine.State.StoreBuilder Store(string name) => Engine.State.Stores.PersistentKeyValueStore(name, Serdes.String, Serdes.String);
}
