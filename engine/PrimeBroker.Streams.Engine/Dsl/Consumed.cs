namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>How a source topic is read: serdes, reset policy and an optional node name.</summary>
/// <param name="KeySerde">Deserializes the record keys; also serializes them where the stream is written unchanged.</param>
/// <param name="ValueSerde">Deserializes the record values.</param>
/// <remarks>Immutable. A record whose key or value fails to deserialize goes to the deserialization exception
/// handler.</remarks>
/// <typeparam name="TKey">Type of the record keys.</typeparam>
/// <typeparam name="TValue">Type of the record values.</typeparam>
public sealed record Consumed<TKey, TValue>(Serde<TKey> KeySerde, Serde<TValue> ValueSerde)
{
    /// <summary>Where the source starts without a position, and what an out-of-range position does. Default
    /// <see cref="OffsetResetPolicy.EarliestThenFail"/>.</summary>
    public OffsetResetPolicy ResetPolicy { get; init; } = OffsetResetPolicy.EarliestThenFail;

    /// <summary>The source node's name; null for a generated one (<c>KSTREAM-SOURCE-…</c>).</summary>
    public string? Name { get; init; }

    /// <summary>Reads with these serdes and the default reset policy.</summary>
    /// <param name="keySerde">Deserializes the keys (and serializes them where the stream is written unchanged).</param>
    /// <param name="valueSerde">Deserializes the values (and serializes them where the stream is written unchanged).</param>
    /// <returns>A new options object.</returns>
    public static Consumed<TKey, TValue> With(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new(keySerde, valueSerde);
}

/// <summary>Type-inferring factories for <see cref="Consumed{TKey,TValue}"/>.</summary>
public static class Consumed
{
    /// <summary>Same as <see cref="Consumed{TKey,TValue}.With"/>, with the types inferred from the serdes.</summary>
    /// <param name="keySerde">Deserializes the keys (and serializes them where the stream is written unchanged).</param>
    /// <param name="valueSerde">Deserializes the values (and serializes them where the stream is written unchanged).</param>
    /// <typeparam name="TKey">Type of the record keys.</typeparam>
    /// <typeparam name="TValue">Type of the record values.</typeparam>
    /// <returns>A new options object.</returns>
    public static Consumed<TKey, TValue> With<TKey, TValue>(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new(keySerde, valueSerde);
}
