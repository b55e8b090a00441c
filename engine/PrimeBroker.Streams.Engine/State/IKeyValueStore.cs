namespace PrimeBroker.Streams.Engine.State;

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
