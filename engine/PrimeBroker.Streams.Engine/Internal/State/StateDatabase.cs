using System.Text;
using RocksDbSharp;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// One RocksDB database for the stores of one task (<c>&lt;state.dir&gt;/&lt;application.id&gt;/&lt;task&gt;/</c>), or
/// for an application's global stores (<c>…/global/</c>): a column family per store, and a meta family that holds each
/// store's <see cref="LocalCheckpoint"/> under the store's name. Each store is an <see cref="IBytesStore"/> view of its
/// family (<see cref="ColumnFamilyStore"/>); <see cref="Write"/> writes the data and checkpoints of several stores in
/// one <see cref="WriteBatch"/>, which RocksDB applies as one unit.
/// </summary>
/// <remarks>
/// <para><b>Without write-ahead log</b> (<c>changelogged</c>: every store has a changelog, the log that rebuilds it).
/// A write lives in memory until a flush, and the database is opened with atomic flush, so every flush writes all
/// families at one point of the write sequence. After a kill RocksDB therefore recovers a prefix of whole batches: each
/// store's data and its checkpoint of the same commit, the stores possibly some commits behind what Kafka committed.
/// The task then restores the changelog tail from each store's checkpoint, as it does after any crash. To bound that
/// tail (and keep it inside a changelog that drops old records, as the embedded cluster does past 5 MiB per partition),
/// the database flushes in the background once <see cref="RocksDbMemory.FlushBytes"/> key and value bytes were written
/// since its last flush, and on <see cref="Flush"/> and <see cref="Dispose"/>.</para>
/// <para><b>With write-ahead log</b> (a store without changelog: nothing could rebuild what a kill would lose). Every
/// batch is in the log before <see cref="Write"/> returns (not fsynced: a kill loses nothing, a power loss may lose the
/// newest batches, data and checkpoint together).</para>
/// <para>Threads: reads from any thread (interactive queries) concurrently with writes from the owning thread; a
/// wipe or a close waits for reads in progress. Disposing any store view disposes the whole database.</para>
/// </remarks>
internal sealed partial class StateDatabase : IDisposable
{
    /// <summary>The family of the checkpoints, one key per store (its name, UTF-8).</summary>
    internal const string MetaFamily = "pbs-meta";

    /// <summary>Prefix of a store's family name, so that no store name can collide with RocksDB's "default" family or
    /// with <see cref="MetaFamily"/>.</summary>
    private const string StoreFamilyPrefix = "store:";

    private static readonly FlushOptions s_flushAndWait = new FlushOptions().SetWaitForFlush(true);
    private static readonly FlushOptions s_flushInBackground = new FlushOptions().SetWaitForFlush(false);

    private readonly ReaderWriterLockSlim _lifecycle = new();
    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle _meta;
    private readonly ColumnFamilyOptions _familyOptions;
    private readonly WriteOptions _writeOptions;
    private readonly long _flushBytes;
    private readonly Dictionary<string, ColumnFamilyStore> _stores = new(StringComparer.Ordinal);
    private readonly List<string> _families;
    private long _bytesSinceFlush;
    private long _batches;
    private bool _disposed;

    private StateDatabase(string directory, RocksDb db, IEnumerable<string> families, ColumnFamilyOptions familyOptions, bool changelogged, long flushBytes)
    {
        Directory = directory;
        _families = families.Where(f => f != ColumnFamilies.DefaultName).ToList();
        _db = db;
        _meta = db.GetColumnFamily(MetaFamily);
        _familyOptions = familyOptions;
        WriteAheadLog = !changelogged;
        _writeOptions = new WriteOptions().SetSync(false).DisableWal(changelogged ? 1 : 0);
        _flushBytes = flushBytes;
    }

    /// <summary>Where the database lives.</summary>
    public string Directory { get; }

    /// <summary>Whether writes go through RocksDB's write-ahead log (some store has no changelog).</summary>
    public bool WriteAheadLog { get; }

    /// <summary>The stores, by name.</summary>
    public IReadOnlyDictionary<string, ColumnFamilyStore> Stores => _stores;

    /// <summary>Write batches applied since the database was opened (tests count commits with it).</summary>
    internal long Batches => Interlocked.Read(ref _batches);

    /// <summary>
    /// Opens (or creates) the database in <paramref name="directory"/> with a family for each of
    /// <paramref name="stores"/>. A directory in the per-store layout of earlier versions is deleted first (see
    /// <see cref="StateLayout"/>); families of stores no longer listed are dropped with their checkpoints.
    /// </summary>
    /// <param name="directory">The task's (or the global stores') directory.</param>
    /// <param name="stores">Store names, each at most once.</param>
    /// <param name="changelogged">Every store has a changelog: the write-ahead log is off (see the remarks).</param>
    /// <param name="memory">The application's shared block cache and write-buffer manager.</param>
    public static StateDatabase Open(string directory, IReadOnlyCollection<string> stores, bool changelogged, RocksDbMemory memory)
    {
        if (StateLayout.IsPerStoreLayout(directory))
        {
            // The application's start discards these and logs it once; this covers every other way in.
            System.IO.Directory.Delete(directory, recursive: true);
        }

        System.IO.Directory.CreateDirectory(directory);
        var options = memory.DatabaseOptions();
        var familyOptions = memory.FamilyOptions();
        var existing = RocksDb.TryListColumnFamilies(options, directory, out var listed) ? listed : [];
        var names = existing.Concat(stores.Select(FamilyOf)).Append(MetaFamily).Distinct(StringComparer.Ordinal).ToList();
        var families = new ColumnFamilies(familyOptions);
        foreach (var name in names)
        {
            families.Add(name, familyOptions);
        }

        var db = RocksDb.Open(options, directory, families);
        var database = new StateDatabase(directory, db, names, familyOptions, changelogged, memory.FlushBytes);
        try
        {
            database.DropStale(existing, stores);
            foreach (var store in stores)
            {
                database.AddStore(store);
            }
        }
        catch
        {
            db.Dispose();
            throw;
        }

        return database;
    }

    /// <summary>
    /// Applies the writes of several stores, each with its new checkpoint, as one atomic batch. A store that is not
    /// listed keeps its data and checkpoint.
    /// </summary>
    /// <exception cref="ArgumentException">A write names a store this database does not hold.</exception>
    /// <exception cref="ObjectDisposedException">The database was closed (its task closed or moved).</exception>
    public void Write(IReadOnlyList<StoreWrite> writes)
    {
        _lifecycle.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            using var batch = new WriteBatch();
            long bytes = 0;
            foreach (var write in writes)
            {
                var store = StoreOf(write.Store);
                foreach (var (key, value) in write.Data)
                {
                    if (value is null) { batch.Delete(key, store.Family); }
                    else { batch.Put(key, value, store.Family); }

                    bytes += key.Length + (value?.Length ?? 0);
                }

                var checkpoint = write.Checkpoint.Encode();
                batch.Put(store.CheckpointKey, checkpoint, _meta);
                bytes += checkpoint.Length;
            }

            // Crash point "mid local write": RocksDB applies a batch as one unit, in memory and in any flush after it,
            // so a kill leaves every store of the batch at the previous commit or every one at this commit.
            _db.Write(batch, _writeOptions);
            Interlocked.Increment(ref _batches);
            foreach (var write in writes)
            {
                _stores[write.Store].Committed(write.Checkpoint);
            }

            if (Interlocked.Add(ref _bytesSinceFlush, bytes) >= _flushBytes)
            {
                Interlocked.Exchange(ref _bytesSinceFlush, 0);
                FlushAll(s_flushInBackground);
            }
        }
        finally { _lifecycle.ExitReadLock(); }
    }

    /// <summary>Starts writing what is only in memory to disk and returns (a suspended task: a kill then loses less).</summary>
    public void Flush()
    {
        _lifecycle.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            Interlocked.Exchange(ref _bytesSinceFlush, 0);
            FlushAll(s_flushInBackground);
        }
        finally { _lifecycle.ExitReadLock(); }
    }

    /// <summary>Writes what is only in memory to disk and waits for it (tests; <see cref="Dispose"/> does it too).</summary>
    internal void FlushAndWait()
    {
        _lifecycle.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            Interlocked.Exchange(ref _bytesSinceFlush, 0);
            FlushAll(s_flushAndWait);
        }
        finally { _lifecycle.ExitReadLock(); }
    }

    /// <summary>Whether a flush is still under way: some family has a memtable waiting to be written (tests).</summary>
    internal bool FlushPending => Read(null, () =>
        _stores.Values.Select(s => s.Family).Append(_meta).Any(f => _db.GetProperty("rocksdb.num-immutable-mem-table", f) != "0")
        || _db.GetProperty("rocksdb.num-running-flushes") != "0");

    /// <summary>Test hook: runs inside <see cref="ColumnFamilyStore.Wipe"/> once the store's checkpoint is gone from disk
    /// and before its family is dropped (where a kill would leave data without a checkpoint).</summary>
    internal Action? BetweenWipeSteps { get; set; }

    /// <summary>Flushes (waiting for it) and closes the database; every store view throws
    /// <see cref="ObjectDisposedException"/> from then on. Idempotent.</summary>
    public void Dispose()
    {
        _lifecycle.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var store in _stores.Values)
            {
                store.ReleaseSnapshots();
            }

            try
            {
                FlushAll(s_flushAndWait);
            }
            finally
            {
                _db.Dispose();
            }
        }
        finally { _lifecycle.ExitWriteLock(); }
    }

    /// <summary>Deletes one store's data and checkpoint; the other stores keep theirs.</summary>
    private void Wipe(ColumnFamilyStore store)
    {
        _lifecycle.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            // The checkpoint goes first, durably: a kill before the family is dropped leaves data without a checkpoint,
            // which Open empties (AddStore). The other order could leave an old checkpoint over an empty family, and a
            // restore would then start in the middle of the changelog.
            _db.Remove(store.CheckpointKey, _meta, _writeOptions);
            FlushAll(s_flushAndWait);
            BetweenWipeSteps?.Invoke();
            store.ReleaseSnapshots();
            store.Family = Recreate(store.FamilyName);
            store.Committed(null);
        }
        finally { _lifecycle.ExitWriteLock(); }
    }

    private void AddStore(string name)
    {
        var family = FamilyOf(name);
        var store = new ColumnFamilyStore(this, name, family, _db.GetColumnFamily(family));
        var raw = _db.Get(store.CheckpointKey, _meta);
        if (raw is not null)
        {
            store.Committed(LocalCheckpoint.Decode(raw));
        }
        else if (!IsEmpty(store.Family))
        {
            // Data without a checkpoint: a wipe that a kill interrupted. It describes no commit; drop it.
            store.Family = Recreate(family);
        }

        _stores.Add(name, store);
    }

    private void DropStale(IEnumerable<string> existing, IReadOnlyCollection<string> stores)
    {
        var wanted = stores.Select(FamilyOf).ToHashSet(StringComparer.Ordinal);
        foreach (var family in existing.Where(f => f.StartsWith(StoreFamilyPrefix, StringComparison.Ordinal) && !wanted.Contains(f)))
        {
            // A store the topology no longer has in this task. Checkpoint first, as in Wipe.
            _db.Remove(Encoding.UTF8.GetBytes(family[StoreFamilyPrefix.Length..]), _meta, _writeOptions);
            FlushAll(s_flushAndWait);
            var handle = _db.GetColumnFamily(family);
            _db.DropColumnFamily(family);
            _families.Remove(family);
            (handle as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Flushes every family together. RocksDB's <c>Flush</c> without families flushes the default family only, even
    /// with atomic flush (an atomic flush covers the families it is given, and a flush of some families only would break
    /// the prefix a kill must leave); RocksDB's own flushes (a full memtable, the write-buffer manager) take every
    /// family of the database.
    /// </summary>
    private void FlushAll(FlushOptions options)
    {
        var families = _families.Select(f => _db.GetColumnFamily(f).Handle).ToArray();
        Native.Instance.rocksdb_flush_cfs(_db.Handle, options.Handle, families, families.Length);
    }

    private ColumnFamilyHandle Recreate(string family)
    {
        var old = _db.GetColumnFamily(family);
        _db.DropColumnFamily(family);
        // RocksDbSharp forgets a dropped family's handle without releasing it.
        (old as IDisposable)?.Dispose();
        return _db.CreateColumnFamily(_familyOptions, family);
    }

    private bool IsEmpty(ColumnFamilyHandle family)
    {
        using var it = _db.NewIterator(family);
        it.SeekToFirst();
        return !it.Valid();
    }

    private ColumnFamilyStore StoreOf(string name) =>
        _stores.TryGetValue(name, out var store) ? store : throw new ArgumentException($"Database {Directory} holds no store '{name}'.", nameof(name));

    private T Read<T>(ColumnFamilyStore? store, Func<T> action)
    {
        _lifecycle.EnterReadLock();
        try
        {
            ThrowIfDisposed(store);
            return action();
        }
        finally { _lifecycle.ExitReadLock(); }
    }

    private void ThrowIfDisposed(ColumnFamilyStore? store = null) =>
        ObjectDisposedException.ThrowIf(_disposed,
            store is null ? $"state database {Directory}" : $"store '{store.Name}' in {Directory} (its task was closed or moved to another instance)");

    private static string FamilyOf(string store) => StoreFamilyPrefix + store;
}

/// <summary>One store's part of a <see cref="StateDatabase.Write"/>.</summary>
/// <param name="Store">The store's name.</param>
/// <param name="Data">Key and value (null: delete) in order; the last write of a key wins.</param>
/// <param name="Checkpoint">The store's checkpoint after this write.</param>
internal readonly record struct StoreWrite(string Store, IEnumerable<KeyValuePair<byte[], byte[]?>> Data, LocalCheckpoint Checkpoint);
