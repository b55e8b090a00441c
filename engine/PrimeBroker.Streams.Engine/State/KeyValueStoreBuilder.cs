namespace PrimeBroker.Streams.Engine.State;

/// <summary>A typed key-value store definition.</summary>
public sealed record KeyValueStoreBuilder<TKey, TValue>(string Name, Serde<TKey> KeySerde, Serde<TValue> ValueSerde,
        StoreKind Kind = StoreKind.Persistent, bool LoggingEnabled = true)
    : StoreBuilder(Name, Kind, LoggingEnabled);
