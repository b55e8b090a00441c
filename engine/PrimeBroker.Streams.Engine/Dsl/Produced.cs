namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>How records are written to a topic. Serdes default to the stream's own when its types did not change.</summary>
/// <remarks>Immutable. A record that fails to serialize goes to the production exception handler.</remarks>
/// <typeparam name="TKey">Type of the record keys.</typeparam>
/// <typeparam name="TValue">Type of the record values.</typeparam>
public sealed record Produced<TKey, TValue>
{
    /// <summary>Serializes the keys; null uses the stream's key serde.</summary>
    public Serde<TKey>? KeySerde { get; init; }

    /// <summary>Serializes the values; null uses the stream's value serde.</summary>
    public Serde<TValue>? ValueSerde { get; init; }

    /// <summary>Chooses each record's partition; null for murmur2 of the serialized key (round-robin for a null
    /// key).</summary>
    public StreamPartitioner<TKey, TValue>? Partitioner { get; init; }

    /// <summary>The sink node's name; null for a generated one (<c>KSTREAM-SINK-…</c>).</summary>
    public string? Name { get; init; }

    /// <summary>Writes with these serdes and the default partitioner.</summary>
    /// <param name="keySerde">Serializes the keys.</param>
    /// <param name="valueSerde">Serializes the values.</param>
    /// <returns>A new options object.</returns>
    public static Produced<TKey, TValue> With(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}

/// <summary>Type-inferring factories for <see cref="Produced{TKey,TValue}"/>.</summary>
public static class Produced
{
    /// <summary>Same as <see cref="Produced{TKey,TValue}.With"/>, with the types inferred from the serdes.</summary>
    /// <param name="keySerde">Serializes the keys.</param>
    /// <param name="valueSerde">Serializes the values.</param>
    /// <typeparam name="TKey">Type of the record keys.</typeparam>
    /// <typeparam name="TValue">Type of the record values.</typeparam>
    /// <returns>A new options object.</returns>
    public static Produced<TKey, TValue> With<TKey, TValue>(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}
