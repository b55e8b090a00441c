namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>A grouped stream, ready to aggregate into a table.</summary>
/// <remarks>Each aggregation keeps its result in a key-value store (persistent by default) with a changelog topic
/// <c>&lt;application.id&gt;-&lt;store&gt;-changelog</c>, and forwards every new result downstream
/// (<see cref="IKTable{TKey,TValue}.ToStream"/>). Records with a null key or a null value are skipped: they neither
/// change the store nor forward anything. The delegates run on the stream thread of the task that owns the key; an
/// exception they throw goes to the processing exception handler, and the store write of that record does not
/// happen.</remarks>
/// <typeparam name="TKey">Type of the grouping keys.</typeparam>
/// <typeparam name="TValue">Type of the record values.</typeparam>
public interface IKGroupedStream<TKey, TValue>
{
    /// <summary>Folds the records of each key into an aggregate: the first record of a key starts from
    /// <paramref name="initializer"/>(), each record replaces the stored aggregate with
    /// <paramref name="aggregator"/>(key, value, aggregate).</summary>
    /// <param name="initializer">Creates the starting aggregate of a key that has none in the store.</param>
    /// <param name="aggregator">Returns the new aggregate, which is stored and forwarded.</param>
    /// <param name="materialized">The store: its name (generated when null), key serde (default: the grouping's),
    /// value serde (required: the aggregate type is new) and kind.</param>
    /// <typeparam name="TAggregate">Type of the aggregate.</typeparam>
    /// <returns>The table of aggregates by key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="materialized"/> is null.</exception>
    /// <exception cref="TopologyException">No aggregate value serde or key serde is known, or the store name is
    /// taken.</exception>
    IKTable<TKey, TAggregate> Aggregate<TAggregate>(Func<TAggregate> initializer, Func<TKey, TValue, TAggregate, TAggregate> aggregator, Materialized<TKey, TAggregate> materialized);

    /// <summary>Combines the values of each key: the first value of a key is stored as is, each later one replaces it
    /// with <paramref name="reducer"/>(stored, value).</summary>
    /// <param name="reducer">Returns the new value of the key.</param>
    /// <param name="materialized">The store: name (generated when null), serdes (default: the grouping's) and kind;
    /// null for defaults.</param>
    /// <returns>The table of reduced values by key.</returns>
    /// <exception cref="TopologyException">No key or value serde is known, or the store name is taken.</exception>
    IKTable<TKey, TValue> Reduce(Func<TValue, TValue, TValue> reducer, Materialized<TKey, TValue>? materialized = null);

    /// <summary>Counts the records of each key (from 0, plus one per record with a non-null key and value).</summary>
    /// <param name="materialized">The store: name (generated when null), key serde (default: the grouping's) and kind;
    /// its value serde is always <see cref="Serdes.Int64"/>. Null for defaults.</param>
    /// <returns>The table of counts by key.</returns>
    /// <exception cref="TopologyException">No key serde is known, or the store name is taken.</exception>
    IKTable<TKey, long> Count(Materialized<TKey, long>? materialized = null);
}
