namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>How a stream is grouped: serdes for the repartition topic and whether the new key keeps the partitioning.</summary>
/// <remarks>Immutable.</remarks>
/// <typeparam name="TKey">Type of the grouping keys.</typeparam>
/// <typeparam name="TValue">Type of the record values.</typeparam>
public sealed record Grouped<TKey, TValue>
{
    /// <summary>Serializes the grouping keys into the repartition topic, and is the default key serde of the
    /// aggregate's store; null uses the stream's key serde where its key type did not change.</summary>
    public Serde<TKey>? KeySerde { get; init; }

    /// <summary>Serializes the values into the repartition topic; null uses the stream's value serde.</summary>
    public Serde<TValue>? ValueSerde { get; init; }

    /// <summary>Names the repartition topic (<c>&lt;application.id&gt;-&lt;name&gt;-repartition</c>).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// The caller's promise that every record's new key belongs to the partition its old key came from (for example a
    /// composite key (account, instrument) from a stream partitioned by account, written out with a partitioner that
    /// hashes the account). Then no repartition topic is needed and the aggregate runs in the source's task.
    /// </summary>
    public bool PreservesPartitioning { get; init; }

    /// <summary>Groups with these serdes.</summary>
    /// <param name="keySerde">Serializes the keys into the repartition topic; the default key serde of the aggregate's store.</param>
    /// <param name="valueSerde">Serializes the values into the repartition topic.</param>
    /// <returns>A new options object.</returns>
    public static Grouped<TKey, TValue> With(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}

/// <summary>Type-inferring factories for <see cref="Grouped{TKey,TValue}"/>.</summary>
public static class Grouped
{
    /// <summary>Same as <see cref="Grouped{TKey,TValue}.With"/>, with the types inferred from the serdes.</summary>
    /// <param name="keySerde">Serializes the keys into the repartition topic; the default key serde of the aggregate's store.</param>
    /// <param name="valueSerde">Serializes the values into the repartition topic.</param>
    /// <typeparam name="TKey">Type of the grouping keys.</typeparam>
    /// <typeparam name="TValue">Type of the record values.</typeparam>
    /// <returns>A new options object.</returns>
    public static Grouped<TKey, TValue> With<TKey, TValue>(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}
