using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>
/// An unbounded stream of records. Every operator returns a new stream; nothing runs until the topology built from the
/// <see cref="StreamsBuilder"/> is started or driven by the test driver.
/// </summary>
/// <remarks>
/// <para>Operators that may change the key (<see cref="Map{TKeyOut,TValueOut}"/>, <see cref="SelectKey{TKeyOut}"/>,
/// <see cref="Process{TKeyOut,TValueOut}"/>) mark the stream as needing a repartition before a later grouping; operators
/// that keep the key (<see cref="MapValues{TValueOut}(Func{TKey,TValue,TValueOut},string?)"/>, <see cref="Filter"/>,
/// <see cref="ProcessValues{TValueOut}"/>, ...) do not.</para>
/// <para>Building: not thread-safe, like the <see cref="StreamsBuilder"/> it belongs to. Each call adds a node at once:
/// a <c>name</c> already used in the topology throws <see cref="TopologyException"/>. A null name gives a
/// generated one (<c>KSTREAM-FILTER-0000000003</c> and the like). Serdes follow the stream while the types stay the
/// same; an operator that changes a type drops the serde of that type, and a later operator that needs it asks for it
/// in its options.</para>
/// <para>Running: the delegates given to operators are not checked when the topology is built and must not be null.
/// They run on the stream thread of the task that owns the record, once per record, in partition order; an exception
/// they throw goes to the processing exception handler (see <see cref="Errors.IProcessingExceptionHandler"/>).</para>
/// </remarks>
/// <typeparam name="TKey">Type of the record keys.</typeparam>
/// <typeparam name="TValue">Type of the record values.</typeparam>
public interface IKStream<TKey, TValue>
{
    /// <summary>Keeps the records for which <paramref name="predicate"/> returns true.</summary>
    /// <param name="predicate">Called with each record's key and value.</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <returns>A stream of the kept records, with this stream's serdes.</returns>
    IKStream<TKey, TValue> Filter(Func<TKey, TValue, bool> predicate, string? name = null);

    /// <summary>Keeps the records for which <paramref name="predicate"/> returns false.</summary>
    /// <param name="predicate">Called with each record's key and value.</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <returns>A stream of the kept records, with this stream's serdes.</returns>
    IKStream<TKey, TValue> FilterNot(Func<TKey, TValue, bool> predicate, string? name = null);

    /// <summary>Replaces each record's value with <paramref name="mapper"/>(value); key, timestamp and headers stay.</summary>
    /// <param name="mapper">Called with each record's value; may return null (a tombstone for a later table).</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <typeparam name="TValueOut">Type of the new values; when it differs from <typeparamref name="TValue"/> the
    /// value serde is dropped.</typeparam>
    /// <returns>The mapped stream; no repartitioning follows.</returns>
    IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TValue, TValueOut> mapper, string? name = null);

    /// <summary>Replaces each record's value with <paramref name="mapper"/>(key, value); key, timestamp and headers
    /// stay.</summary>
    /// <param name="mapper">Called with each record's key and value; may return null.</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <typeparam name="TValueOut">Type of the new values; when it differs from <typeparamref name="TValue"/> the
    /// value serde is dropped.</typeparam>
    /// <returns>The mapped stream; no repartitioning follows.</returns>
    IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TKey, TValue, TValueOut> mapper, string? name = null);

    /// <summary>Replaces each record with zero or more records of the same key, one per value
    /// <paramref name="mapper"/> returns, in the order it enumerates them.</summary>
    /// <param name="mapper">Called with each record's key and value; must not return null (an empty sequence drops
    /// the record).</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <typeparam name="TValueOut">Type of the new values; when it differs from <typeparamref name="TValue"/> the
    /// value serde is dropped.</typeparam>
    /// <returns>The flattened stream; no repartitioning follows.</returns>
    IKStream<TKey, TValueOut> FlatMapValues<TValueOut>(Func<TKey, TValue, IEnumerable<TValueOut>> mapper, string? name = null);

    /// <summary>Replaces each record's key and value with the pair <paramref name="mapper"/> returns; timestamp and
    /// headers stay.</summary>
    /// <param name="mapper">Called with each record's key and value.</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <typeparam name="TKeyOut">Type of the new keys; when it differs from <typeparamref name="TKey"/> the key serde is
    /// dropped.</typeparam>
    /// <typeparam name="TValueOut">Type of the new values; when it differs from <typeparamref name="TValue"/> the
    /// value serde is dropped.</typeparam>
    /// <returns>The mapped stream, marked for repartitioning before a later grouping.</returns>
    IKStream<TKeyOut, TValueOut> Map<TKeyOut, TValueOut>(Func<TKey, TValue, KeyValuePair<TKeyOut, TValueOut>> mapper, string? name = null);

    /// <summary>Replaces each record's key with <paramref name="selector"/>(key, value); value, timestamp and headers
    /// stay.</summary>
    /// <param name="selector">Called with each record's key and value.</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <typeparam name="TKeyOut">Type of the new keys; when it differs from <typeparamref name="TKey"/> the key serde is
    /// dropped.</typeparam>
    /// <returns>The re-keyed stream, marked for repartitioning before a later grouping.</returns>
    IKStream<TKeyOut, TValue> SelectKey<TKeyOut>(Func<TKey, TValue, TKeyOut> selector, string? name = null);

    /// <summary>Calls <paramref name="action"/> for each record, then forwards the record unchanged (for logging or
    /// metrics; side effects are not rolled back when the transaction aborts).</summary>
    /// <param name="action">Called with each record's key and value.</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <returns>The same records, with this stream's serdes.</returns>
    IKStream<TKey, TValue> Peek(Action<TKey, TValue> action, string? name = null);

    /// <summary>Routes each record to the first branch whose predicate matches (see <see cref="BranchedKStream{TKey,TValue}"/>).</summary>
    /// <param name="name">Name of the branch node and prefix of the branches' node names
    /// (<c>&lt;name&gt;-&lt;branch&gt;</c>), or null for a generated one.</param>
    /// <returns>An object to declare the branches on; the branches exist once it is finished with
    /// <see cref="BranchedKStream{TKey,TValue}.DefaultBranch"/> or <see cref="BranchedKStream{TKey,TValue}.NoDefaultBranch"/>.</returns>
    BranchedKStream<TKey, TValue> Split(string? name = null);

    /// <summary>Runs a Processor API node that may change key and value: the stream is marked for repartitioning.
    /// <paramref name="storeNames"/> names the stores it may use (added with <see cref="StreamsBuilder.AddStateStore"/>).</summary>
    /// <param name="supplier">Called once per task when the task is initialized; must return a new processor each
    /// time (one instance serves one task).</param>
    /// <param name="storeNames">Stores the processor reads and writes through
    /// <see cref="IProcessorContext{TKeyOut,TValueOut}.GetStateStore{TKey,TValue}"/>; empty for none. Processors
    /// sharing a store run in one sub-topology. Unknown names fail <see cref="StreamsBuilder.Build"/>.</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <typeparam name="TKeyOut">Type of the keys the processor forwards.</typeparam>
    /// <typeparam name="TValueOut">Type of the values the processor forwards.</typeparam>
    /// <returns>The stream of forwarded records.</returns>
    IKStream<TKeyOut, TValueOut> Process<TKeyOut, TValueOut>(Func<IProcessor<TKey, TValue, TKeyOut, TValueOut>> supplier, string[] storeNames, string? name = null);

    /// <summary>Runs a Processor API node that keeps each record's key (it may forward fewer or more records, but
    /// with the key it received). No repartitioning follows.</summary>
    /// <param name="supplier">Called once per task when the task is initialized; must return a new processor each
    /// time.</param>
    /// <param name="storeNames">Stores the processor uses; empty for none. Unknown names fail
    /// <see cref="StreamsBuilder.Build"/>.</param>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <typeparam name="TValueOut">Type of the values the processor forwards.</typeparam>
    /// <returns>The stream of forwarded records. The engine does not check that keys are kept: forwarding another key
    /// breaks the partitioning a later grouping relies on.</returns>
    IKStream<TKey, TValueOut> ProcessValues<TValueOut>(Func<IProcessor<TKey, TValue, TKey, TValueOut>> supplier, string[] storeNames, string? name = null);

    /// <summary>Groups the records by their current key, for an aggregation. If an earlier operator may have changed
    /// the key (and <see cref="Grouped{TKey,TValue}.PreservesPartitioning"/> is not set), the records first go through
    /// a repartition topic <c>&lt;application.id&gt;-&lt;name&gt;-repartition</c>, so every key is aggregated in one
    /// task.</summary>
    /// <param name="grouped">Serdes for the repartition topic (default: the stream's) and its name; null for
    /// defaults.</param>
    /// <returns>The grouped stream.</returns>
    /// <exception cref="TopologyException">A repartition is needed and no key or value serde is known.</exception>
    IKGroupedStream<TKey, TValue> GroupByKey(Grouped<TKey, TValue>? grouped = null);

    /// <summary>Groups the records by a new key, <paramref name="selector"/>(key, value). The records go through a
    /// repartition topic unless <see cref="Grouped{TKey,TValue}.PreservesPartitioning"/> is set.</summary>
    /// <param name="selector">Called with each record's key and value.</param>
    /// <param name="grouped">Serdes of the new key (required for the repartition) and of the value (default: the
    /// stream's), and the repartition topic's name.</param>
    /// <typeparam name="TKeyOut">Type of the new keys.</typeparam>
    /// <returns>The grouped stream.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="grouped"/> is null.</exception>
    /// <exception cref="TopologyException">A repartition is needed and no key or value serde is known.</exception>
    IKGroupedStream<TKeyOut, TValue> GroupBy<TKeyOut>(Func<TKey, TValue, TKeyOut> selector, Grouped<TKeyOut, TValue> grouped);

    /// <summary>Writes every record to <paramref name="topic"/>, in the task's transaction. The engine does not create
    /// output topics: it must exist.</summary>
    /// <param name="topic">Output topic name, used as is (no application-id prefix).</param>
    /// <param name="produced">Serdes (default: the stream's), partitioner (default: murmur2 of the serialized key, as
    /// Java clients compute it; records with a null key go round-robin) and sink node name; null for defaults.</param>
    /// <exception cref="TopologyException">No key or value serde is known for the stream's types.</exception>
    void To(string topic, Produced<TKey, TValue>? produced = null);
}
