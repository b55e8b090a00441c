namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>How records are written to a topic. Serdes default to the stream's own when its types did not change.</summary>
public sealed record Produced<TKey, TValue>
{
    public Serde<TKey>? KeySerde { get; init; }

    public Serde<TValue>? ValueSerde { get; init; }

    public StreamPartitioner<TKey, TValue>? Partitioner { get; init; }

    public string? Name { get; init; }

    public static Produced<TKey, TValue> With(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}

/// <summary>Type-inferring factories for <see cref="Produced{TKey,TValue}"/>.</summary>
public static class Produced
{
    public static Produced<TKey, TValue> With<TKey, TValue>(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}
