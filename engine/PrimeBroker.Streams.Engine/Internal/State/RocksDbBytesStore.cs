using RocksDbSharp;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// Committed bytes in one RocksDB database per task and store (<c>&lt;state.dir&gt;/&lt;application.id&gt;/&lt;task&gt;/&lt;store&gt;</c>).
/// The checkpoint lives in its own column family and is written in the same <see cref="WriteBatch"/> as the data, so a
/// crash at any point leaves data and checkpoint of the same commit (RocksDB applies a batch atomically, WAL included).
/// </summary>
/// <remarks>Writes do not fsync: after a power loss the database may lose its newest batches, together with their
/// checkpoint, and the task then restores the longer changelog tail. A process kill loses nothing that
/// <see cref="Apply"/> returned from.</remarks>
internal sealed class RocksDbBytesStore : IBytesStore
{
    private const string MetaFamily = "pbs-meta";
    private static readonly byte[] s_checkpointKey = "checkpoint"u8.ToArray();

    private readonly string _path;
    private readonly ReaderWriterLockSlim _lifecycle = new();
    private readonly WriteOptions _writeOptions = new WriteOptions().SetSync(false);
    private RocksDb _db;
    private ColumnFamilyHandle _meta;
    private LocalCheckpoint? _checkpoint;
    private bool _disposed;
    private readonly HashSet<Snapshot> _snapshots = new();

    public RocksDbBytesStore(string name, string path)
    {
        Name = name;
        _path = path;
        (_db, _meta) = Open(path);
        var raw = _db.Get(s_checkpointKey, _meta);
        _checkpoint = raw is null ? null : LocalCheckpoint.Decode(raw);
    }

    public string Name { get; }

    public LocalCheckpoint? Checkpoint => Volatile.Read(ref _checkpoint);

    public long ApproximateCount => Read(() => long.TryParse(_db.GetProperty("rocksdb.estimate-num-keys"), out var n) ? n : 0);

    public byte[]? Get(byte[] key) => Read(() => _db.Get(key));

    /// <summary>
    /// Entries with from &lt;= key &lt; to, read in pages of <see cref="PageSize"/> over one RocksDB snapshot. The
    /// lifecycle lock is held per page only, so a closing task (<see cref="Dispose"/>, on the stream thread inside a
    /// rebalance) never waits for a whole-store copy; a read that loses its store between pages throws
    /// <see cref="ObjectDisposedException"/>. The snapshot keeps the pages one consistent commit.
    /// </summary>
    public IReadOnlyList<KeyValuePair<byte[], byte[]>> Range(byte[]? from, byte[]? to)
    {
        var result = new List<KeyValuePair<byte[], byte[]>>();
        Snapshot? snapshot = null;
        var next = from;
        try
        {
            while (true)
            {
                var more = Read(() =>
                {
                    if (snapshot is not null && !Tracked(snapshot))
                    {
                        throw new ObjectDisposedException($"store '{Name}' at {_path}", "the store was wiped during the read (a restore from scratch)");
                    }

                    snapshot ??= TakeSnapshot();
                    var readOptions = new ReadOptions().SetSnapshot(snapshot);
                    if (to is not null)
                    {
                        readOptions.SetIterateUpperBound(to);
                    }

                    using var it = _db.NewIterator(null, readOptions);
                    if (next is null) { it.SeekToFirst(); }
                    else { it.Seek(next); }

                    for (var n = 0; it.Valid() && n < PageSize; it.Next(), n++)
                    {
                        result.Add(new(it.Key(), it.Value()));
                    }

                    next = it.Valid() ? it.Key() : null;
                    return next is not null;
                });
                if (!more)
                {
                    return result;
                }

                BetweenPages?.Invoke();
            }
        }
        finally
        {
            if (snapshot is not null)
            {
                ReleaseSnapshot(snapshot);
            }
        }
    }

    /// <summary>Entries per locked page of <see cref="Range"/>.</summary>
    internal int PageSize { get; init; } = 1024;

    /// <summary>Test hook: runs between two pages of <see cref="Range"/>, with the lock released.</summary>
    internal Action? BetweenPages { get; set; }

    public void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> writes, LocalCheckpoint checkpoint) => Read(() =>
    {
        using var batch = new WriteBatch();
        foreach (var (key, value) in writes)
        {
            if (value is null) { batch.Delete(key); }
            else { batch.Put(key, value); }
        }

        batch.Put(s_checkpointKey, checkpoint.Encode(), _meta);
        // Crash point "mid local write": RocksDB applies the batch as one unit (WAL record first), so a kill here
        // leaves either the previous commit's data and checkpoint or this one's, never a mixture.
        _db.Write(batch, _writeOptions);
        Volatile.Write(ref _checkpoint, checkpoint);
        return true;
    });

    public void Wipe()
    {
        _lifecycle.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            ReleaseSnapshots();
            _db.Dispose();
            Directory.Delete(_path, recursive: true);
            (_db, _meta) = Open(_path);
            _checkpoint = null;
        }
        finally { _lifecycle.ExitWriteLock(); }
    }

    public void Dispose()
    {
        _lifecycle.EnterWriteLock();
        try
        {
            if (_disposed) { return; }
            _disposed = true;
            ReleaseSnapshots();
            _db.Dispose();
        }
        finally { _lifecycle.ExitWriteLock(); }
    }

    private static (RocksDb, ColumnFamilyHandle) Open(string path)
    {
        Directory.CreateDirectory(path);
        var options = new DbOptions().SetCreateIfMissing(true).SetCreateMissingColumnFamilies(true);
        var families = new ColumnFamilies { { MetaFamily, new ColumnFamilyOptions() } };
        var db = RocksDb.Open(options, path, families);
        return (db, db.GetColumnFamily(MetaFamily));
    }

    /// <summary>Under the read lock: a snapshot that <see cref="Dispose"/> and <see cref="Wipe"/> release before they
    /// close the database, if the reader has not released it by then.</summary>
    private Snapshot TakeSnapshot()
    {
        var snapshot = _db.CreateSnapshot();
        lock (_snapshots)
        {
            _snapshots.Add(snapshot);
        }

        return snapshot;
    }

    private bool Tracked(Snapshot snapshot)
    {
        lock (_snapshots)
        {
            return _snapshots.Contains(snapshot);
        }
    }

    private void ReleaseSnapshot(Snapshot snapshot)
    {
        _lifecycle.EnterReadLock();
        try
        {
            lock (_snapshots)
            {
                // Gone when Dispose or Wipe released it already (with the database it belonged to).
                if (_snapshots.Remove(snapshot))
                {
                    snapshot.Dispose();
                }
            }
        }
        finally { _lifecycle.ExitReadLock(); }
    }

    /// <summary>Under the write lock, before the database closes.</summary>
    private void ReleaseSnapshots()
    {
        lock (_snapshots)
        {
            foreach (var snapshot in _snapshots)
            {
                snapshot.Dispose();
            }

            _snapshots.Clear();
        }
    }

    private T Read<T>(Func<T> action)
    {
        _lifecycle.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            return action();
        }
        finally { _lifecycle.ExitReadLock(); }
    }

    private void ThrowIfDisposed() =>
        ObjectDisposedException.ThrowIf(_disposed, $"store '{Name}' at {_path} (its task was closed or moved to another instance)");
}
