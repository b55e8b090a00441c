namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>A grouped stream, ready to aggregate into a table.</summary>
public interface IKGroupedStream<TKey, TValue>
{
    IKTable<TKey, TAggregate> Aggregate<TAggregate>(Func<TAggregate> initializer, Func<TKey, TValue, TAggregate, TAggregate> aggregator, Materialized<TKey, TAggregate> materialized);

    IKTable<TKey, TValue> Reduce(Func<TValue, TValue, TValue> reducer, Materialized<TKey, TValue>? materialized = null);

    IKTable<TKey, long> Count(Materialized<TKey, long>? materialized = null);
}
