namespace PrimeBroker.Streams.Engine.State;

/// <summary>Where a store keeps its committed data on the instance.</summary>
public enum StoreKind
{
    /// <summary>RocksDB under the state directory; survives a restart, so only the changelog tail is restored.</summary>
    Persistent,

    /// <summary>Memory only; rebuilt from the changelog whenever the task starts. For tests and small reference data.</summary>
    InMemory,
}

/// <summary>Describes a key-value store to attach to a topology (<c>StreamsBuilder.AddStateStore</c>).</summary>
/// <param name="Name">Unique within the topology; also names the changelog topic <c>&lt;application.id&gt;-&lt;name&gt;-changelog</c>.</param>
/// <param name="Kind">Persistent (RocksDB) or in-memory.</param>
/// <param name="LoggingEnabled">Whether the store has a changelog. Without one the store cannot be restored on another
/// instance and is not exactly-once across handover: only for caches that can be rebuilt.</param>
public abstract record StoreBuilder(string Name, StoreKind Kind, bool LoggingEnabled);

/// <summary>A typed key-value store definition.</summary>
public sealed record KeyValueStoreBuilder<TKey, TValue>(string Name, Serde<TKey> KeySerde, Serde<TValue> ValueSerde,
        StoreKind Kind = StoreKind.Persistent, bool LoggingEnabled = true)
    : StoreBuilder(Name, Kind, LoggingEnabled);

/// <summary>Factory methods for store definitions, in the spirit of Kafka Streams' <c>Stores</c>.</summary>
public static class Stores
{
    public static KeyValueStoreBuilder<TKey, TValue> PersistentKeyValueStore<TKey, TValue>(string name, Serde<TKey> keySerde, Serde<TValue> valueSerde) =>
        new(name, keySerde, valueSerde, StoreKind.Persistent);

    public static KeyValueStoreBuilder<TKey, TValue> InMemoryKeyValueStore<TKey, TValue>(string name, Serde<TKey> keySerde, Serde<TValue> valueSerde) =>
        new(name, keySerde, valueSerde, StoreKind.InMemory);
}
