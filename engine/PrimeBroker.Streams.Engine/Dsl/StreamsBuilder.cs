using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Internal;
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

    public IKStream<TKey, TValue> Stream<TKey, TValue>(string topic, Consumed<TKey, TValue> consumed) => Stream([topic], consumed);

    /// <summary>
    /// A table of every partition of <paramref name="topic"/>, on every instance, kept in store
    /// <paramref name="storeName"/>. Processors read it with <c>GetStateStore</c> without connecting it. The topic is
    /// its changelog: the store is restored from it at start and follows it while running.
    /// </summary>
    public IGlobalKTable<TKey, TValue> GlobalTable<TKey, TValue>(string topic, Consumed<TKey, TValue> consumed, string storeName, StoreKind kind = StoreKind.InMemory)
    {
        _builder.AddGlobalStore(new GlobalStoreDefinition(storeName, topic, kind),
            new KeyValueStoreBuilder<TKey, TValue>(storeName, consumed.KeySerde, consumed.ValueSerde, kind, LoggingEnabled: false));
        return new GlobalKTable<TKey, TValue>(storeName);
    }

    /// <summary>Adds a store that processors connect to by name in <c>Process(..., storeNames)</c>.</summary>
    public StreamsBuilder AddStateStore(StoreBuilder store)
    {
        _builder.AddStore(store);
        return this;
    }

    /// <summary>Validates and freezes the topology.</summary>
    /// <exception cref="TopologyException">Unknown or unconnected store, a node no record can reach, a topic read twice.</exception>
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
