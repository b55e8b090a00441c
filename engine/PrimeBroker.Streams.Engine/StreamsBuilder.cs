using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine;

/// <summary>
/// Declares a topology with the DSL. Not thread-safe; build once, then run the <see cref="Topology"/> anywhere.
/// </summary>
/// <example>
/// <code>
/// var builder = new StreamsBuilder();
/// builder.Stream("orders", Consumed.With(Serdes.String, Serdes.String))
///        .GroupByKey()
///        .Count(Materialized&lt;string, long&gt;.As("order-counts"))
///        .ToStream()
///        .To("order-counts", Produced.With(Serdes.String, Serdes.Int64));
/// var topology = builder.Build();
/// </code>
/// </example>
public sealed class StreamsBuilder
{
    private readonly TopologyBuilder _builder = new();
    private bool _built;

    internal TopologyBuilder Internal => _builder;

    /// <summary>A stream of one or more topics (all must have the same partition count: they share tasks).</summary>
    /// <param name="topics">Source topic names, used as is. A topic may be read by one source only; the topics must
    /// exist when the application starts.</param>
    /// <param name="consumed">Serdes, reset policy and node name.</param>
    /// <typeparam name="TKey">Type of the record keys.</typeparam>
    /// <typeparam name="TValue">Type of the record values.</typeparam>
    /// <returns>The stream of the topics' records, with the serdes of <paramref name="consumed"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="consumed"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="topics"/> is empty.</exception>
    /// <exception cref="TopologyException">The node name is already used.</exception>
    public IKStream<TKey, TValue> Stream<TKey, TValue>(IReadOnlyList<string> topics, Consumed<TKey, TValue> consumed)
    {
        ArgumentNullException.ThrowIfNull(consumed);
        if (topics.Count == 0)
        {
            throw new ArgumentException("A stream needs at least one topic.", nameof(topics));
        }

        var name = consumed.Name ?? _builder.NewName("KSTREAM-SOURCE-");
        _builder.AddNode(new SourceDefinition(name, topics, internalTopic: false, consumed.ResetPolicy,
            () => new SourceNode<TKey, TValue>(consumed.KeySerde, consumed.ValueSerde)));
        return new KStream<TKey, TValue>(this, name, consumed.KeySerde, consumed.ValueSerde, repartitionRequired: false);
    }

    /// <summary>A stream of one topic; see <see cref="Stream{TKey,TValue}(IReadOnlyList{string},Consumed{TKey,TValue})"/>.</summary>
    /// <param name="topic">Source topic name, used as is.</param>
    /// <param name="consumed">Serdes, reset policy and node name.</param>
    /// <typeparam name="TKey">Type of the record keys.</typeparam>
    /// <typeparam name="TValue">Type of the record values.</typeparam>
    /// <returns>The stream of the topic's records.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="consumed"/> is null.</exception>
    /// <exception cref="TopologyException">The node name is already used.</exception>
    public IKStream<TKey, TValue> Stream<TKey, TValue>(string topic, Consumed<TKey, TValue> consumed) => Stream([topic], consumed);

    /// <summary>
    /// A table of every partition of <paramref name="topic"/>, on every instance, kept in store
    /// <paramref name="storeName"/>. Processors read it with <c>GetStateStore</c> without connecting it. The topic is
    /// its changelog: the store is restored from it at start and follows it while running.
    /// </summary>
    /// <param name="topic">The topic, used as is; it must exist when the application starts.</param>
    /// <param name="consumed">Serdes of the topic's keys and values, also used by the store. Its reset policy and
    /// name are not used.</param>
    /// <param name="storeName">The store's name, unique in the topology. The store has no changelog of its own.</param>
    /// <param name="kind">Where the store keeps its data. Default <see cref="StoreKind.InMemory"/>.</param>
    /// <typeparam name="TKey">Type of the keys.</typeparam>
    /// <typeparam name="TValue">Type of the values.</typeparam>
    /// <returns>The table; it is read by store name, not through operators.</returns>
    /// <exception cref="TopologyException">A store named <paramref name="storeName"/> exists already.</exception>
    public IGlobalKTable<TKey, TValue> GlobalTable<TKey, TValue>(string topic, Consumed<TKey, TValue> consumed, string storeName, StoreKind kind = StoreKind.InMemory)
    {
        _builder.AddGlobalStore(new GlobalStoreDefinition(storeName, topic, kind),
            new KeyValueStoreBuilder<TKey, TValue>(storeName, consumed.KeySerde, consumed.ValueSerde, kind, LoggingEnabled: false));
        return new GlobalKTable<TKey, TValue>(storeName);
    }

    /// <summary>Adds a store that processors connect to by name in <c>Process(..., storeNames)</c>.</summary>
    /// <param name="store">The store's definition, for example from <see cref="Stores"/>. A store no processor connects
    /// to fails <see cref="Build"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="TopologyException">A store of that name exists already.</exception>
    public StreamsBuilder AddStateStore(StoreBuilder store)
    {
        _builder.AddStore(store);
        return this;
    }

    /// <summary>Validates and freezes the topology. Co-partitioning and the existence of topics are checked later,
    /// when the topology runs (partition counts are not known here).</summary>
    /// <returns>The topology, to run with <see cref="StreamsApplication"/> or the test driver.</returns>
    /// <exception cref="TopologyException">Unknown or unconnected store, a node no record can reach, a source with no
    /// children, a processor connecting a global store, a topic read twice.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Build"/> was called before on this builder.</exception>
    public Topology Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("Build() was called already; a StreamsBuilder makes one topology.");
        }

        _built = true;
        return _builder.Build();
    }

    private sealed class GlobalKTable<TKey, TValue>(string storeName) : IGlobalKTable<TKey, TValue>
    {
        public string QueryableStoreName => storeName;
    }
}
