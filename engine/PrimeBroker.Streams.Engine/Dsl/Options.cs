using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>Where a source starts when it has no position, and what happens when its position fell off the log.</summary>
public enum OffsetResetPolicy
{
    /// <summary>Start at the log start when there is no position; an out-of-range position stops the task with an error.
    /// The default: a prime broker must never skip input silently.</summary>
    EarliestThenFail,

    /// <summary>Start at (or reset to) the log start, also when a stored position is out of range.</summary>
    Earliest,

    /// <summary>Start at (or reset to) the log end, also when a stored position is out of range.</summary>
    Latest,
}

/// <summary>How a source topic is read: serdes, reset policy and an optional node name.</summary>
public sealed record Consumed<TKey, TValue>(Serde<TKey> KeySerde, Serde<TValue> ValueSerde)
{
    public OffsetResetPolicy ResetPolicy { get; init; } = OffsetResetPolicy.EarliestThenFail;

    public string? Name { get; init; }

    public static Consumed<TKey, TValue> With(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new(keySerde, valueSerde);
}

/// <summary>
/// Chooses the partition of an output record. Returns a partition in [0, partitionCount), or null for the default
/// (Java-compatible murmur2 of the serialized key, so Java producers and consumers agree).
/// </summary>
public delegate int? StreamPartitioner<in TKey, in TValue>(string topic, TKey key, TValue value, int partitionCount);

/// <summary>How records are written to a topic. Serdes default to the stream's own when its types did not change.</summary>
public sealed record Produced<TKey, TValue>
{
    public Serde<TKey>? KeySerde { get; init; }

    public Serde<TValue>? ValueSerde { get; init; }

    public StreamPartitioner<TKey, TValue>? Partitioner { get; init; }

    public string? Name { get; init; }

    public static Produced<TKey, TValue> With(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}

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

/// <summary>Names one branch of <c>Split()</c>.</summary>
public sealed record Branched(string Name)
{
    public static Branched As(string name) => new(name);
}

/// <summary>Type-inferring factories for <see cref="Consumed{TKey,TValue}"/>.</summary>
public static class Consumed
{
    public static Consumed<TKey, TValue> With<TKey, TValue>(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new(keySerde, valueSerde);
}

/// <summary>Type-inferring factories for <see cref="Produced{TKey,TValue}"/>.</summary>
public static class Produced
{
    public static Produced<TKey, TValue> With<TKey, TValue>(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}

/// <summary>Type-inferring factories for <see cref="Grouped{TKey,TValue}"/>.</summary>
public static class Grouped
{
    public static Grouped<TKey, TValue> With<TKey, TValue>(Serde<TKey> keySerde, Serde<TValue> valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };
}
