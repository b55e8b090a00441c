using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>
/// An unbounded stream of records. Every operator returns a new stream; nothing runs until the topology built from the
/// <see cref="StreamsBuilder"/> is started or driven by the test driver.
/// </summary>
/// <remarks>Operators that may change the key (<see cref="Map{TKeyOut,TValueOut}"/>, <see cref="SelectKey{TKeyOut}"/>,
/// <see cref="Process{TKeyOut,TValueOut}"/>) mark the stream as needing a repartition before a later grouping; operators
/// that keep the key (<see cref="MapValues{TValueOut}(Func{TKey,TValue,TValueOut},string?)"/>, <see cref="Filter"/>,
/// <see cref="ProcessValues{TValueOut}"/>, ...) do not.</remarks>
public interface IKStream<TKey, TValue>
{
    IKStream<TKey, TValue> Filter(Func<TKey, TValue, bool> predicate, string? name = null);

    IKStream<TKey, TValue> FilterNot(Func<TKey, TValue, bool> predicate, string? name = null);

    IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TValue, TValueOut> mapper, string? name = null);

    IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TKey, TValue, TValueOut> mapper, string? name = null);

    IKStream<TKey, TValueOut> FlatMapValues<TValueOut>(Func<TKey, TValue, IEnumerable<TValueOut>> mapper, string? name = null);

    IKStream<TKeyOut, TValueOut> Map<TKeyOut, TValueOut>(Func<TKey, TValue, KeyValuePair<TKeyOut, TValueOut>> mapper, string? name = null);

    IKStream<TKeyOut, TValue> SelectKey<TKeyOut>(Func<TKey, TValue, TKeyOut> selector, string? name = null);

    IKStream<TKey, TValue> Peek(Action<TKey, TValue> action, string? name = null);

    /// <summary>Routes each record to the first branch whose predicate matches (see <see cref="BranchedKStream{TKey,TValue}"/>).</summary>
    BranchedKStream<TKey, TValue> Split(string? name = null);

    /// <summary>Runs a Processor API node that may change key and value: the stream is marked for repartitioning.
    /// <paramref name="storeNames"/> names the stores it may use (added with <see cref="StreamsBuilder.AddStateStore"/>).</summary>
    IKStream<TKeyOut, TValueOut> Process<TKeyOut, TValueOut>(Func<IProcessor<TKey, TValue, TKeyOut, TValueOut>> supplier, string[] storeNames, string? name = null);

    /// <summary>Runs a Processor API node that keeps each record's key (it may forward fewer or more records, but
    /// with the key it received). No repartitioning follows.</summary>
    IKStream<TKey, TValueOut> ProcessValues<TValueOut>(Func<IProcessor<TKey, TValue, TKey, TValueOut>> supplier, string[] storeNames, string? name = null);

    IKGroupedStream<TKey, TValue> GroupByKey(Grouped<TKey, TValue>? grouped = null);

    IKGroupedStream<TKeyOut, TValue> GroupBy<TKeyOut>(Func<TKey, TValue, TKeyOut> selector, Grouped<TKeyOut, TValue> grouped);

    void To(string topic, Produced<TKey, TValue>? produced = null);
}
