namespace PrimeBroker.Streams.Engine.State;

/// <summary>
/// A task's key-value store as processors see it. Writes are part of the task's current transaction: readers on the
/// same task see them at once, the changelog and the local database receive them only when the transaction commits,
/// and a crash before that discards them.
/// </summary>
/// <remarks>Not thread-safe: only the owning task's stream thread may call it. Interactive queries use
/// <see cref="IReadOnlyKeyValueStore{TKey,TValue}"/> views, which read committed data only.</remarks>
/// <typeparam name="TKey">Type of the keys.</typeparam>
/// <typeparam name="TValue">Type of the values.</typeparam>
public interface IKeyValueStore<TKey, TValue> : IReadOnlyKeyValueStore<TKey, TValue>
{
    /// <summary>Sets the value; a null value deletes the key.</summary>
    /// <param name="key">The key; must not be null.</param>
    /// <param name="value">The new value, or null to delete.</param>
    /// <exception cref="InvalidOperationException">The store is read-only here (a global store).</exception>
    void Put(TKey key, TValue? value);

    /// <summary>Writes only if the key is absent; returns the existing value otherwise.</summary>
    /// <param name="key">The key; must not be null.</param>
    /// <param name="value">The value to write when the key is absent.</param>
    /// <returns>The existing value, or default when the key was absent (and is now written).</returns>
    /// <exception cref="InvalidOperationException">The store is read-only here (a global store).</exception>
    TValue? PutIfAbsent(TKey key, TValue value);

    /// <summary>Deletes the key and returns the old value.</summary>
    /// <param name="key">The key; must not be null.</param>
    /// <returns>The value the key had, or default when it was absent.</returns>
    /// <exception cref="InvalidOperationException">The store is read-only here (a global store).</exception>
    TValue? Delete(TKey key);
}
