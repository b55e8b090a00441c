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
