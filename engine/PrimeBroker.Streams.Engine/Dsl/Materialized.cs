using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>How an aggregation result is stored: store name (queryable when given), serdes and kind.</summary>
/// <remarks>Immutable: the <c>With…</c> methods return copies. The store always has a changelog.</remarks>
/// <typeparam name="TKey">Type of the keys.</typeparam>
/// <typeparam name="TValue">Type of the stored values.</typeparam>
public sealed record Materialized<TKey, TValue>
{
    /// <summary>The store's name, unique in the topology; it also names the changelog topic
    /// <c>&lt;application.id&gt;-&lt;name&gt;-changelog</c>. Null for a generated name
    /// (<c>KSTREAM-AGGREGATE-STATE-STORE-…</c>), which changes when the topology changes: give a name to any store that
    /// is queried or must survive a topology change.</summary>
    public string? StoreName { get; init; }

    /// <summary>Serializes the store's keys; null uses the grouping's key serde.</summary>
    public Serde<TKey>? KeySerde { get; init; }

    /// <summary>Serializes the store's values; null uses the grouping's value serde where the value type did not
    /// change (required for <see cref="IKGroupedStream{TKey,TValue}.Aggregate{TAggregate}"/>).</summary>
    public Serde<TValue>? ValueSerde { get; init; }

    /// <summary>Where the committed data lives. Default <see cref="StoreKind.Persistent"/> (RocksDB).</summary>
    public StoreKind Kind { get; init; } = StoreKind.Persistent;

    /// <summary>A persistent store named <paramref name="storeName"/>, with the default serdes.</summary>
    /// <param name="storeName">The store's name (see <see cref="StoreName"/>).</param>
    /// <returns>A new options object.</returns>
    public static Materialized<TKey, TValue> As(string storeName) => new() { StoreName = storeName };

    /// <summary>A copy with <see cref="KeySerde"/> set.</summary>
    /// <param name="serde">Serializes the store's keys.</param>
    /// <returns>A new options object.</returns>
    public Materialized<TKey, TValue> WithKeySerde(Serde<TKey> serde) => this with { KeySerde = serde };

    /// <summary>A copy with <see cref="ValueSerde"/> set.</summary>
    /// <param name="serde">Serializes the store's values.</param>
    /// <returns>A new options object.</returns>
    public Materialized<TKey, TValue> WithValueSerde(Serde<TValue> serde) => this with { ValueSerde = serde };
}
