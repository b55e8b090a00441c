namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>How a source topic is read: serdes, reset policy and an optional node name.</summary>
public sealed record Consumed<TKey, TValue>(Serde<TKey> KeySerde, Serde<TValue> ValueSerde)
{
    public OffsetResetPolicy ResetPolicy { get; init; } = OffsetResetPolicy.EarliestThenFail;

    public string? Name { get; init; }

    public static Consumed<TKey, TValue> With(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new(keySerde, valueSerde);
}

/// <summary>Type-inferring factories for <see cref="Consumed{TKey,TValue}"/>.</summary>
public static class Consumed
{
    public static Consumed<TKey, TValue> With<TKey, TValue>(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new(keySerde, valueSerde);
}
