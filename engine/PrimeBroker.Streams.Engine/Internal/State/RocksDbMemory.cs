using RocksDbSharp;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// The memory budget every <see cref="StateDatabase"/> of one application shares: one LRU block cache (data, index and
/// filter blocks of every database) and one write-buffer manager (the memtables of every database). Without them each
/// database sized its own cache and memtables, so memory grew with the number of tasks and stores.
/// </summary>
/// <remarks>
/// <para>RocksDB keeps its own reference to the cache and the manager in every database opened with them, so disposing
/// this object while a database is still open is safe: only the handles here are released.</para>
/// <para>The bound is RocksDB's: the cache is strict about its capacity except for pinned blocks, and the write-buffer
/// manager starts flushing the largest memtables when the memtables of all databases exceed about seven eighths of
/// its size; it does not stall writers, so a burst can overshoot it until those flushes finish.</para>
/// </remarks>
internal sealed class RocksDbMemory : IDisposable
{
    /// <summary>Memtable size of one column family: small, because a task holds several families and the write-buffer
    /// manager bounds their sum anyway. 1 MiB also caps the write-ahead log's preallocation (about 1.1 times the
    /// memtable size) where the log is on.</summary>
    internal const ulong FamilyWriteBufferBytes = 1024 * 1024;

    /// <summary>Arena block of a memtable: the unit in which a memtable takes memory, and so the least a family with
    /// a few KiB written costs in the write-buffer manager's sum. RocksDB's default is an eighth of the memtable
    /// (128 KiB): with 20 tasks of 14 families each, a little data in every family put about 35 MiB in the sum, past a
    /// 32 MiB manager's flush trigger, and the manager then flushed (and compaction merged) small files without pause.
    /// A bench run of 52,113 trades (bench/README.md, "The regression of the day's merges") spent 18.7 s of CPU in
    /// RocksDB's flush and compaction threads with 128 KiB blocks and 2.0 s with 16 KiB blocks.</summary>
    internal const ulong FamilyArenaBlockBytes = 16 * 1024;

    private static readonly Lazy<RocksDbMemory> s_default = new(() => new RocksDbMemory(
        StreamsConfig.DefaultRocksDbBlockCacheBytes, StreamsConfig.DefaultRocksDbWriteBufferBytes, StreamsConfig.DefaultRocksDbFlushBytes));

    private readonly Cache? _cache;
    private readonly IntPtr _writeBufferManager;
    private int _disposed;

    /// <param name="blockCacheBytes">Capacity of the shared block cache.</param>
    /// <param name="writeBufferBytes">Size of the shared write-buffer manager.</param>
    /// <param name="flushBytes">Bytes a database accepts between two flushes.</param>
    /// <param name="bounded">False: neither cache nor manager is created, and every database keeps RocksDB's default
    /// table and memtable options (<see cref="StreamsConfig.RocksDbMemoryBound"/>).</param>
    public RocksDbMemory(long blockCacheBytes, long writeBufferBytes, long flushBytes, bool bounded = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCacheBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(writeBufferBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(flushBytes, 1);
        BlockCacheBytes = blockCacheBytes;
        WriteBufferBytes = writeBufferBytes;
        FlushBytes = flushBytes;
        Bounded = bounded;
        if (!bounded)
        {
            return;
        }

        _cache = Cache.CreateLru((ulong)blockCacheBytes);
        // No wrapper in RocksDbSharp 11.12; the C API symbol is exported by the shipped librocksdb. allow_stall = 0:
        // a commit must not block on another task's memtables.
        _writeBufferManager = Native.Instance.rocksdb_write_buffer_manager_create((UIntPtr)(ulong)writeBufferBytes, 0);
    }

    /// <summary>For stores opened without an application (the test driver, engine tests): the default sizes, shared by
    /// every such store of the process and never released.</summary>
    public static RocksDbMemory Default => s_default.Value;

    public static RocksDbMemory For(StreamsConfig config) =>
        new(config.RocksDbBlockCacheBytes, config.RocksDbWriteBufferBytes, config.RocksDbFlushBytes, config.RocksDbMemoryBound);

    /// <summary>Whether the shared cache and write-buffer manager bound the databases' memory.</summary>
    public bool Bounded { get; }

    public long BlockCacheBytes { get; }

    public long WriteBufferBytes { get; }

    /// <summary>Bytes a database accepts between two flushes (see <see cref="StateDatabase"/>).</summary>
    public long FlushBytes { get; }

    /// <summary>Bytes the block cache holds now, over every database; 0 when not <see cref="Bounded"/> (no shared cache).</summary>
    public long BlockCacheUsage => _cache is null ? 0 : (long)_cache.GetUsage();

    /// <summary>Bytes the memtables of every database hold now; 0 when not <see cref="Bounded"/> (no manager).</summary>
    public long WriteBufferUsage => _writeBufferManager == IntPtr.Zero ? 0 : (long)Native.Instance.rocksdb_write_buffer_manager_memory_usage(_writeBufferManager);

    /// <summary>Database options: the shared write-buffer manager, atomic flush of all families, small logs.</summary>
    internal DbOptions DatabaseOptions()
    {
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true)
            .SetKeepLogFileNum(2)
            .SetMaxLogFileSize(1024 * 1024)
            .SetRecycleLogFileNum(0)
            // RocksDB reserves 4 MiB of disk for each new manifest by default; a task's manifest holds a few KiB.
            .SetManifestPreallocationSize(64 * 1024);
        ApplyFamilyOptions(options);
        // Every flush takes all families at one point of the write sequence, so the files on disk always hold a prefix
        // of whole write batches across families: the property a database without write-ahead log needs.
        Native.Instance.rocksdb_options_set_atomic_flush(options.Handle, 1);
        if (_writeBufferManager != IntPtr.Zero)
        {
            Native.Instance.rocksdb_options_set_write_buffer_manager(options.Handle, _writeBufferManager);
        }

        return options;
    }

    /// <summary>Options of one column family: the shared block cache (index and filter blocks in it too) and a small
    /// memtable.</summary>
    internal ColumnFamilyOptions FamilyOptions()
    {
        var options = new ColumnFamilyOptions();
        ApplyFamilyOptions(options);
        return options;
    }

    private void ApplyFamilyOptions<T>(Options<T> options)
        where T : Options<T>
    {
        if (_cache is null)
        {
            return; // unbounded: RocksDB's defaults, a cache and memtables per column family
        }

        var table = new BlockBasedTableOptions()
            .SetBlockCache(_cache)
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true);
        options.SetBlockBasedTableFactory(table)
            .SetWriteBufferSize(FamilyWriteBufferBytes)
            .SetMaxWriteBufferNumber(4)
            .SetArenaBlockSize(FamilyArenaBlockBytes);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _writeBufferManager != IntPtr.Zero)
        {
            // The cache handle is released by its finalizer (RocksDbSharp's Cache has no Dispose).
            Native.Instance.rocksdb_write_buffer_manager_destroy(_writeBufferManager);
        }
    }
}
