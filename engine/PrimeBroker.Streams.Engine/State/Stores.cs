namespace PrimeBroker.Streams.Engine.State;

/// <summary>Factory methods for store definitions, in the spirit of Kafka Streams' <c>Stores</c>.</summary>
public static class Stores
{
    public static KeyValueStoreBuilder<TKey, TValue> PersistentKeyValueStore<TKey, TValue>(string name, Serde<TKey> keySerde, Serde<TValue> valueSerde) =>
        new(name, keySerde, valueSerde, StoreKind.Persistent);

    public static KeyValueStoreBuilder<TKey, TValue> InMemoryKeyValueStore<TKey, TValue>(string name, Serde<TKey> keySerde, Serde<TValue> valueSerde) =>
        new(name, keySerde, valueSerde, StoreKind.InMemory);
}
