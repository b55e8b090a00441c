namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// The innermost store layer: committed bytes only. Writes arrive only as whole committed transactions
/// (<see cref="Apply"/>), each together with the checkpoint that describes it, so the data and the checkpoint can never
/// disagree after a crash.
/// </summary>
/// <remarks>Reads may come from any thread (interactive queries) concurrently with <see cref="Apply"/> from the stream
/// thread; implementations must allow that. Keys order as unsigned bytes.</remarks>
internal interface IBytesStore : IBytesReader, IDisposable
{
    /// <summary>The checkpoint of the last applied batch, or null for a store that never committed.</summary>
    LocalCheckpoint? Checkpoint { get; }

    /// <summary>Atomically applies writes (null value = delete) and replaces the checkpoint.</summary>
    void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> writes, LocalCheckpoint checkpoint);

    /// <summary>Deletes all data and the checkpoint (before a full restore).</summary>
    void Wipe();
}

/// <summary>Reads of a bytes store layer, committed or with a task's overlay.</summary>
internal interface IBytesReader
{
    string Name { get; }

    byte[]? Get(byte[] key);

    /// <summary>Entries with from &lt;= key &lt; to (null = open), materialised as a snapshot.</summary>
    IReadOnlyList<KeyValuePair<byte[], byte[]>> Range(byte[]? from, byte[]? to);

    long ApproximateCount { get; }
}

/// <summary>Unsigned lexicographic comparison of byte arrays, the order RocksDB's default comparator uses.</summary>
internal sealed class ByteArrayComparer : IComparer<byte[]>, IEqualityComparer<byte[]>
{
    public static ByteArrayComparer Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x is null ? (y is null ? 0 : -1) : y is null ? 1 : x.AsSpan().SequenceCompareTo(y);

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
