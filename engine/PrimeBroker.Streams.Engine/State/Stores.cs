namespace PrimeBroker.Streams.Engine.State;

/// <summary>Factory methods for store definitions, in the spirit of Kafka Streams' <c>Stores</c>.</summary>
public static class Stores
{
    /// <summary>A RocksDB-backed store with a changelog.</summary>
    /// <param name="name">Unique within the topology; also names the changelog topic.</param>
    /// <param name="keySerde">Serializes the keys; the store orders its entries by these bytes.</param>
    /// <param name="valueSerde">Serializes the values.</param>
    /// <typeparam name="TKey">Type of the keys.</typeparam>
    /// <typeparam name="TValue">Type of the values.</typeparam>
    /// <returns>The definition, to pass to <see cref="StreamsBuilder.AddStateStore"/>.</returns>
    public static KeyValueStoreBuilder<TKey, TValue> PersistentKeyValueStore<TKey, TValue>(string name, Serde<TKey> keySerde, Serde<TValue> valueSerde) =>
        new(name, keySerde, valueSerde, StoreKind.Persistent);

    /// <summary>An in-memory store with a changelog, rebuilt from it whenever its task starts.</summary>
    /// <param name="name">Unique within the topology; also names the changelog topic.</param>
    /// <param name="keySerde">Serializes the keys; the store orders its entries by these bytes.</param>
    /// <param name="valueSerde">Serializes the values.</param>
    /// <typeparam name="TKey">Type of the keys.</typeparam>
    /// <typeparam name="TValue">Type of the values.</typeparam>
    /// <returns>The definition, to pass to <see cref="StreamsBuilder.AddStateStore"/>.</returns>
    public static KeyValueStoreBuilder<TKey, TValue> InMemoryKeyValueStore<TKey, TValue>(string name, Serde<TKey> keySerde, Serde<TValue> valueSerde) =>
        new(name, keySerde, valueSerde, StoreKind.InMemory);
}
