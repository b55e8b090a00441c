namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>Committed bytes in a sorted dictionary guarded by a reader/writer lock; nothing survives the process.</summary>
internal sealed class InMemoryBytesStore : IBytesStore
{
    private readonly SortedDictionary<byte[], byte[]> _data = new(ByteArrayComparer.Instance);
    private readonly ReaderWriterLockSlim _lock = new();
    private LocalCheckpoint? _checkpoint;

    public InMemoryBytesStore(string name) => Name = name;

    public string Name { get; }

    public long ApproximateCount
    {
        get
        {
            _lock.EnterReadLock();
            try { return _data.Count; }
            finally { _lock.ExitReadLock(); }
        }
    }

    public LocalCheckpoint? Checkpoint => Volatile.Read(ref _checkpoint);

    public byte[]? Get(byte[] key)
    {
        _lock.EnterReadLock();
        try { return _data.TryGetValue(key, out var v) ? v : null; }
        finally { _lock.ExitReadLock(); }
    }

    public IReadOnlyList<KeyValuePair<byte[], byte[]>> Range(byte[]? from, byte[]? to)
    {
        _lock.EnterReadLock();
        try
        {
            var cmp = ByteArrayComparer.Instance;
            return _data.Where(e => (from is null || cmp.Compare(e.Key, from) >= 0) && (to is null || cmp.Compare(e.Key, to) < 0)).ToList();
        }
        finally { _lock.ExitReadLock(); }
    }

    public void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> writes, LocalCheckpoint checkpoint)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var (key, value) in writes)
            {
                if (value is null) { _data.Remove(key); }
                else { _data[key] = value; }
            }

            _checkpoint = checkpoint;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public void Wipe()
    {
        _lock.EnterWriteLock();
        try
        {
            _data.Clear();
            _checkpoint = null;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Nothing to release; the data stays reachable for whoever still holds the store (the test driver keeps
    /// it across simulated crashes to stand in for a disk).</summary>
    public void Dispose()
    {
    }
}
