using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// The committed stores of one task and the commit's local write: the persistent stores share one
/// <see cref="StateDatabase"/> (<c>&lt;state.dir&gt;/&lt;application.id&gt;/&lt;task&gt;/</c>), written in one batch
/// per commit; in-memory stores are written one by one (a crash loses them whatever the order).
/// </summary>
internal sealed class TaskState : IDisposable
{
    private readonly StateDatabase? _database;

    /// <param name="stores">Every store of the task by name, as the task reads and restores them.</param>
    /// <param name="database">The database holding the persistent ones (their names are its store names), or null.</param>
    public TaskState(IReadOnlyDictionary<string, IBytesStore> stores, StateDatabase? database)
    {
        Stores = stores;
        _database = database;
    }

    public IReadOnlyDictionary<string, IBytesStore> Stores { get; }

    /// <summary>The task's database, or null when it has no persistent store (or none on disk).</summary>
    internal StateDatabase? Database => _database;

    /// <summary>
    /// Opens the stores of <paramref name="task"/>: persistent ones in the task's database when there is a state
    /// directory, the others in memory. Without write-ahead log when every persistent store has a changelog.
    /// </summary>
    public static TaskState Open(string? stateDirectory, TaskId task, IReadOnlyCollection<StoreBuilder> builders, RocksDbMemory memory)
    {
        var persistent = stateDirectory is null ? [] : builders.Where(b => b.Kind == StoreKind.Persistent).ToList();
        var database = persistent.Count == 0
            ? null
            : StateDatabase.Open(Path.Combine(stateDirectory!, task.ToString()), persistent.Select(b => b.Name).ToList(), persistent.All(b => b.LoggingEnabled), memory);
        var stores = new Dictionary<string, IBytesStore>(StringComparer.Ordinal);
        foreach (var builder in builders)
        {
            stores[builder.Name] = database?.Stores.GetValueOrDefault(builder.Name) as IBytesStore ?? new InMemoryBytesStore(builder.Name);
        }

        return new TaskState(stores, database);
    }

    /// <summary>
    /// The local write of a commit: every listed store's data and new checkpoint. The stores of the task's database go
    /// in one atomic batch; a store not listed is not touched.
    /// </summary>
    public void Commit(IReadOnlyList<StoreWrite> writes)
    {
        if (_database is null)
        {
            ApplyEach(writes);
            return;
        }

        var shared = new List<StoreWrite>(writes.Count);
        var alone = new List<StoreWrite>();
        foreach (var write in writes)
        {
            (_database.Stores.ContainsKey(write.Store) ? shared : alone).Add(write);
        }

        if (shared.Count > 0)
        {
            _database.Write(shared);
        }

        ApplyEach(alone);
    }

    /// <summary>Starts writing the database's memory to disk (a suspended task: a kill then needs a shorter restore).</summary>
    public void Flush() => _database?.Flush();

    /// <summary>Closes every store and the database (flushed first).</summary>
    public void Dispose()
    {
        foreach (var store in Stores.Values)
        {
            store.Dispose();
        }

        _database?.Dispose();
    }

    private void ApplyEach(IEnumerable<StoreWrite> writes)
    {
        foreach (var write in writes)
        {
            Stores[write.Store].Apply(write.Data, write.Checkpoint);
        }
    }
}
