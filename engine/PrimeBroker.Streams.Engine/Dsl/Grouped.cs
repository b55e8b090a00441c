namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>How a stream is grouped: serdes for the repartition topic and whether the new key keeps the partitioning.</summary>
public sealed record Grouped<TKey, TValue>
{
    public Serde<TKey>? KeySerde { get; init; }

    public Serde<TValue>? ValueSerde { get; init; }

    /// <summary>Names the repartition topic (<c>&lt;application.id&gt;-&lt;name&gt;-repartition</c>).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// The caller's promise that every record's new key belongs to the partition its old key came from (for example a
    /// composite key (account, instrument) from a stream partitioned by account, written out with a partitioner that
    /// hashes the account). Then no repartition topic is needed and the aggregate runs in the source's task.
    /// </summary>
    public bool PreservesPartitioning { get; init; }

    public static Grouped<TKey, TValue> With(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}

/// <summary>Type-inferring factories for <see cref="Grouped{TKey,TValue}"/>.</summary>
public static class Grouped
{
    public static Grouped<TKey, TValue> With<TKey, TValue>(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}
