namespace PrimeBroker.Streams.Engine.State;

/// <summary>Read access to a key-value store. Ordered by the serialized key bytes (unsigned lexicographic).</summary>
public interface IReadOnlyKeyValueStore<TKey, TValue>
{
    string Name { get; }

    /// <summary>The value for <paramref name="key"/>, or default when absent. For a value type default is also a
    /// value (a count of 0): use <see cref="TryGet"/> to tell them apart.</summary>
    TValue? Get(TKey key);

    /// <summary>Whether the store holds <paramref name="key"/>, and its value.</summary>
    bool TryGet(TKey key, out TValue? value);

    /// <summary>Entries with <paramref name="from"/> &lt;= serialized key &lt; <paramref name="to"/>; null bounds are open.
    /// The enumeration is a snapshot: enumerate it before writing to the store.</summary>
    IEnumerable<KeyValuePair<TKey, TValue>> Range(TKey? from, TKey? to);

    /// <summary>All entries in key order.</summary>
    IEnumerable<KeyValuePair<TKey, TValue>> All();

    /// <summary>An estimate; exact for in-memory stores.</summary>
    long ApproximateNumEntries { get; }
}

/// <summary>
/// A task's key-value store as processors see it. Writes are part of the task's current transaction: readers on the
/// same task see them at once, the changelog and the local database receive them only when the transaction commits,
/// and a crash before that discards them.
/// </summary>
/// <remarks>Not thread-safe: only the owning task's stream thread may call it. Interactive queries use
/// <see cref="IReadOnlyKeyValueStore{TKey,TValue}"/> views, which read committed data only.</remarks>
public interface IKeyValueStore<TKey, TValue> : IReadOnlyKeyValueStore<TKey, TValue>
{
    /// <summary>Sets the value; a null value deletes the key.</summary>
    void Put(TKey key, TValue? value);

    /// <summary>Writes only if the key is absent; returns the existing value otherwise.</summary>
    TValue? PutIfAbsent(TKey key, TValue value);

    /// <summary>Deletes the key and returns the old value.</summary>
    TValue? Delete(TKey key);
}
