namespace PrimeBroker.Streams.Engine.State;

/// <summary>Read access to a key-value store. Ordered by the serialized key bytes (unsigned lexicographic).</summary>
/// <remarks>Keys are serialized with the store's key serde to look them up, so a key must not be null. Threading
/// depends on where the instance comes from: a processor's store belongs to its stream thread (see
/// <see cref="IKeyValueStore{TKey,TValue}"/>); the views of <see cref="StreamsApplication.Store{TKey,TValue}"/> may be
/// used from any thread.</remarks>
/// <typeparam name="TKey">Type of the keys.</typeparam>
/// <typeparam name="TValue">Type of the values.</typeparam>
public interface IReadOnlyKeyValueStore<TKey, TValue>
{
    /// <summary>The store's name, as declared in its builder.</summary>
    string Name { get; }

    /// <summary>The value for <paramref name="key"/>, or default when absent. For a value type default is also a
    /// value (a count of 0): use <see cref="TryGet"/> to tell them apart.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The stored value, or default.</returns>
    TValue? Get(TKey key);

    /// <summary>Whether the store holds <paramref name="key"/>, and its value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The stored value when found; default otherwise.</param>
    /// <returns>True when the key is present.</returns>
    bool TryGet(TKey key, out TValue? value);

    /// <summary>Entries with <paramref name="from"/> &lt;= serialized key &lt; <paramref name="to"/>; null bounds are open.
    /// The entries are read when this method is called (a snapshot): writes made while enumerating do not show.</summary>
    /// <param name="from">Inclusive lower bound, or null for none.</param>
    /// <param name="to">Exclusive upper bound, or null for none.</param>
    /// <returns>The entries in serialized-key order; values are deserialized as they are enumerated.</returns>
    IEnumerable<KeyValuePair<TKey, TValue>> Range(TKey? from, TKey? to);

    /// <summary>All entries in key order, read when this method is called (a snapshot).</summary>
    /// <returns>The entries in serialized-key order.</returns>
    IEnumerable<KeyValuePair<TKey, TValue>> All();

    /// <summary>An estimate of the number of entries: RocksDB's own estimate for persistent stores, plus the task's
    /// uncommitted writes (overwrites and deletes are not subtracted). Exact for an in-memory store with nothing
    /// uncommitted.</summary>
    long ApproximateNumEntries { get; }
}
