using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>How an aggregation result is stored: store name (queryable when given), serdes and kind.</summary>
public sealed record Materialized<TKey, TValue>
{
    public string? StoreName { get; init; }

    public Serde<TKey>? KeySerde { get; init; }

    public Serde<TValue>? ValueSerde { get; init; }

    public StoreKind Kind { get; init; } = StoreKind.Persistent;

    public static Materialized<TKey, TValue> As(string storeName) => new() { StoreName = storeName };

    public Materialized<TKey, TValue> WithKeySerde(Serde<TKey> serde) => this with { KeySerde = serde };

    public Materialized<TKey, TValue> WithValueSerde(Serde<TValue> serde) => this with { ValueSerde = serde };
}
