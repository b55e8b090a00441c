namespace PrimeBroker.Streams.Engine.State;

/// <summary>A typed key-value store definition.</summary>
/// <param name="Name">Unique within the topology; also names the changelog topic
/// <c>&lt;application.id&gt;-&lt;name&gt;-changelog</c>.</param>
/// <param name="KeySerde">Serializes the keys; the stored order is that of the serialized bytes.</param>
/// <param name="ValueSerde">Serializes the values.</param>
/// <param name="Kind">Persistent (RocksDB, the default) or in-memory.</param>
/// <param name="LoggingEnabled">Whether the store has a changelog (default true); see
/// <see cref="StoreBuilder.LoggingEnabled"/>.</param>
/// <typeparam name="TKey">Type of the keys.</typeparam>
/// <typeparam name="TValue">Type of the values.</typeparam>
public sealed record KeyValueStoreBuilder<TKey, TValue>(string Name, Serde<TKey> KeySerde, Serde<TValue> ValueSerde,
        StoreKind Kind = StoreKind.Persistent, bool LoggingEnabled = true)
    : StoreBuilder(Name, Kind, LoggingEnabled);
