using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>The DSL's stream: a node name plus what is known about its serdes and partitioning.</summary>
internal sealed class KStream<TKey, TValue> : IKStream<TKey, TValue>
{
    private readonly StreamsBuilder _streams;
    private readonly bool _repartitionRequired;

    public KStream(StreamsBuilder streams, string node, Serde<TKey>? keySerde, Serde<TValue>? valueSerde, bool repartitionRequired)
    {
        _streams = streams;
        Node = node;
        KeySerde = keySerde;
        ValueSerde = valueSerde;
        _repartitionRequired = repartitionRequired;
    }

    public string Node { get; }

    public Serde<TKey>? KeySerde { get; }

    public Serde<TValue>? ValueSerde { get; }

    private TopologyBuilder Builder => _streams.Internal;

    public IKStream<TKey, TValue> Filter(Func<TKey, TValue, bool> predicate, string? name = null) =>
        Add("KSTREAM-FILTER-", name, () => new FilterOperator<TKey, TValue>(predicate, false), [], KeySerde, ValueSerde, _repartitionRequired);

    public IKStream<TKey, TValue> FilterNot(Func<TKey, TValue, bool> predicate, string? name = null) =>
        Add("KSTREAM-FILTER-", name, () => new FilterOperator<TKey, TValue>(predicate, true), [], KeySerde, ValueSerde, _repartitionRequired);

    public IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TValue, TValueOut> mapper, string? name = null) =>
        MapValues((_, v) => mapper(v), name);

    public IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TKey, TValue, TValueOut> mapper, string? name = null) =>
        Add("KSTREAM-MAPVALUES-", name, () => new MapValuesOperator<TKey, TValue, TValueOut>(mapper), [], KeySerde, Same<TValue, TValueOut>(ValueSerde), _repartitionRequired);

    public IKStream<TKey, TValueOut> FlatMapValues<TValueOut>(Func<TKey, TValue, IEnumerable<TValueOut>> mapper, string? name = null) =>
        Add("KSTREAM-FLATMAPVALUES-", name, () => new FlatMapValuesOperator<TKey, TValue, TValueOut>(mapper), [], KeySerde, Same<TValue, TValueOut>(ValueSerde), _repartitionRequired);

    public IKStream<TKeyOut, TValueOut> Map<TKeyOut, TValueOut>(Func<TKey, TValue, KeyValuePair<TKeyOut, TValueOut>> mapper, string? name = null) =>
        Add("KSTREAM-MAP-", name, () => new MapOperator<TKey, TValue, TKeyOut, TValueOut>(mapper), [], Same<TKey, TKeyOut>(KeySerde), Same<TValue, TValueOut>(ValueSerde), true);

    public IKStream<TKeyOut, TValue> SelectKey<TKeyOut>(Func<TKey, TValue, TKeyOut> selector, string? name = null) =>
        Add("KSTREAM-KEY-SELECT-", name, () => new MapOperator<TKey, TValue, TKeyOut, TValue>((k, v) => new(selector(k, v), v)), [], Same<TKey, TKeyOut>(KeySerde), ValueSerde, true);

    public IKStream<TKey, TValue> Peek(Action<TKey, TValue> action, string? name = null) =>
        Add("KSTREAM-PEEK-", name, () => new PeekOperator<TKey, TValue>(action), [], KeySerde, ValueSerde, _repartitionRequired);

    public BranchedKStream<TKey, TValue> Split(string? name = null) => new BranchedKStreamImpl(this, name ?? Builder.NewName("KSTREAM-BRANCH-"));

    public IKStream<TKeyOut, TValueOut> Process<TKeyOut, TValueOut>(Func<IProcessor<TKey, TValue, TKeyOut, TValueOut>> supplier, string[] storeNames, string? name = null) =>
        Add("KSTREAM-PROCESSOR-", name, supplier, storeNames, Same<TKey, TKeyOut>(KeySerde), Same<TValue, TValueOut>(ValueSerde), true);

    public IKStream<TKey, TValueOut> ProcessValues<TValueOut>(Func<IProcessor<TKey, TValue, TKey, TValueOut>> supplier, string[] storeNames, string? name = null) =>
        Add("KSTREAM-PROCESSVALUES-", name, supplier, storeNames, KeySerde, Same<TValue, TValueOut>(ValueSerde), _repartitionRequired);

    public IKGroupedStream<TKey, TValue> GroupByKey(Grouped<TKey, TValue>? grouped = null)
    {
        grouped ??= new Grouped<TKey, TValue>();
        var keySerde = grouped.KeySerde ?? KeySerde;
        var valueSerde = grouped.ValueSerde ?? ValueSerde;
        if (!_repartitionRequired || grouped.PreservesPartitioning)
        {
            return new KGroupedStream<TKey, TValue>(_streams, Node, keySerde, valueSerde);
        }

        return Repartition(grouped.Name, Require(keySerde, "key", "Grouped.KeySerde"), Require(valueSerde, "value", "Grouped.ValueSerde"));
    }

    public IKGroupedStream<TKeyOut, TValue> GroupBy<TKeyOut>(Func<TKey, TValue, TKeyOut> selector, Grouped<TKeyOut, TValue> grouped)
    {
        ArgumentNullException.ThrowIfNull(grouped);
        var mapped = (KStream<TKeyOut, TValue>)Add("KSTREAM-GROUPBY-", null,
            () => new MapOperator<TKey, TValue, TKeyOut, TValue>((k, v) => new(selector(k, v), v)), [], grouped.KeySerde, grouped.ValueSerde ?? ValueSerde, repartition: true);
        return mapped.GroupByKey(grouped with { ValueSerde = grouped.ValueSerde ?? ValueSerde });
    }

    public void To(string topic, Produced<TKey, TValue>? produced = null)
    {
        produced ??= new Produced<TKey, TValue>();
        var keySerde = Require(produced.KeySerde ?? KeySerde, "key", "Produced.KeySerde");
        var valueSerde = Require(produced.ValueSerde ?? ValueSerde, "value", "Produced.ValueSerde");
        var name = produced.Name ?? Builder.NewName("KSTREAM-SINK-");
        var partitioner = produced.Partitioner;
        Builder.AddNode(new SinkDefinition(name, topic, false, () => new SinkNode<TKey, TValue>(topic, false, keySerde, valueSerde, partitioner)), Node);
    }

    private KGroupedStream<TKey, TValue> Repartition(string? name, Serde<TKey> keySerde, Serde<TValue> valueSerde)
    {
        var baseName = name ?? Builder.NewName("KSTREAM-AGGREGATE-");
        var topic = baseName + "-repartition";
        Builder.AddNode(new SinkDefinition(baseName + "-repartition-sink", topic, true,
            () => new SinkNode<TKey, TValue>(topic, true, keySerde, valueSerde, null)), Node);
        var source = baseName + "-repartition-source";
        Builder.AddNode(new SourceDefinition(source, [topic], true, OffsetResetPolicy.EarliestThenFail, () => new SourceNode<TKey, TValue>(keySerde, valueSerde)));
        return new KGroupedStream<TKey, TValue>(_streams, source, keySerde, valueSerde);
    }

    private KStream<TKeyOut, TValueOut> Add<TKeyOut, TValueOut>(string prefix, string? name, Func<IProcessor<TKey, TValue, TKeyOut, TValueOut>> supplier,
        string[] stores, Serde<TKeyOut>? keySerde, Serde<TValueOut>? valueSerde, bool repartition)
    {
        var nodeName = name ?? Builder.NewName(prefix);
        Builder.AddNode(new ProcessorDefinition(nodeName, stores, () => new ProcessorNode<TKey, TValue, TKeyOut, TValueOut>(supplier(), stores)), Node);
        return new KStream<TKeyOut, TValueOut>(_streams, nodeName, keySerde, valueSerde, repartition);
    }

    internal static Serde<TTo>? Same<TFrom, TTo>(Serde<TFrom>? serde) => serde as Serde<TTo>;

    internal static Serde<T> Require<T>(Serde<T>? serde, string what, string option) =>
        serde ?? throw new TopologyException($"no {what} serde is known for type {typeof(T).Name} here (an operator changed the type); set {option}.");

    private sealed class BranchedKStreamImpl : BranchedKStream<TKey, TValue>
    {
        private readonly KStream<TKey, TValue> _parent;
        private readonly string _name;
        private readonly List<(Func<TKey, TValue, bool> Predicate, string Branch)> _branches = new();

        public BranchedKStreamImpl(KStream<TKey, TValue> parent, string name)
        {
            _parent = parent;
            _name = name;
        }

        public override BranchedKStream<TKey, TValue> Branch(Func<TKey, TValue, bool> predicate, Branched branched)
        {
            if (_branches.Any(b => b.Branch == branched.Name))
            {
                throw new TopologyException($"split '{_name}' has two branches named '{branched.Name}'.");
            }

            _branches.Add((predicate, branched.Name));
            return this;
        }

        public override IReadOnlyDictionary<string, IKStream<TKey, TValue>> DefaultBranch(Branched? branched = null) => Finish(branched?.Name ?? "default");

        public override IReadOnlyDictionary<string, IKStream<TKey, TValue>> NoDefaultBranch() => Finish(null);

        private Dictionary<string, IKStream<TKey, TValue>> Finish(string? defaultBranch)
        {
            var childName = (string branch) => $"{_name}-{branch}";
            var routes = _branches.Select(b => (b.Predicate, childName(b.Branch))).ToList();
            var defaultChild = defaultBranch is null ? null : childName(defaultBranch);
            var builder = _parent.Builder;
            builder.AddNode(new ProcessorDefinition(_name, [], () => new ProcessorNode<TKey, TValue, TKey, TValue>(new BranchOperator<TKey, TValue>(routes, defaultChild), [])), _parent.Node);
            var result = new Dictionary<string, IKStream<TKey, TValue>>();
            foreach (var branch in _branches.Select(b => b.Branch).Concat(defaultBranch is null ? [] : [defaultBranch]))
            {
                var node = childName(branch);
                builder.AddNode(new ProcessorDefinition(node, [], () => new ProcessorNode<TKey, TValue, TKey, TValue>(new PassThroughOperator<TKey, TValue>(), [])), _name);
                result[branch] = new KStream<TKey, TValue>(_parent._streams, node, _parent.KeySerde, _parent.ValueSerde, _parent._repartitionRequired);
            }

            return result;
        }
    }
}

internal sealed class KGroupedStream<TKey, TValue>(StreamsBuilder streams, string node, Serde<TKey>? keySerde, Serde<TValue>? valueSerde) : IKGroupedStream<TKey, TValue>
{
    public IKTable<TKey, TAggregate> Aggregate<TAggregate>(Func<TAggregate> initializer, Func<TKey, TValue, TAggregate, TAggregate> aggregator, Materialized<TKey, TAggregate> materialized)
    {
        ArgumentNullException.ThrowIfNull(materialized);
        var store = Store(materialized, KStream<TKey, TValue>.Require(materialized.ValueSerde, "aggregate value", "Materialized.ValueSerde"));
        return AddAggregate(store, () => new AggregateOperator<TKey, TValue, TAggregate>(store.Name, initializer, aggregator));
    }

    public IKTable<TKey, TValue> Reduce(Func<TValue, TValue, TValue> reducer, Materialized<TKey, TValue>? materialized = null)
    {
        materialized ??= new Materialized<TKey, TValue>();
        var store = Store(materialized, KStream<TKey, TValue>.Require(materialized.ValueSerde ?? valueSerde, "value", "Materialized.ValueSerde"));
        return AddAggregate(store, () => new ReduceOperator<TKey, TValue>(store.Name, reducer));
    }

    public IKTable<TKey, long> Count(Materialized<TKey, long>? materialized = null) =>
        Aggregate(() => 0L, (_, _, count) => count + 1, (materialized ?? new Materialized<TKey, long>()).WithValueSerde(Serdes.Int64));

    private KeyValueStoreBuilder<TKey, TStored> Store<TStored>(Materialized<TKey, TStored> materialized, Serde<TStored> storedSerde)
    {
        var name = materialized.StoreName ?? streams.Internal.NewName("KSTREAM-AGGREGATE-STATE-STORE-");
        var key = KStream<TKey, TValue>.Require(materialized.KeySerde ?? keySerde, "key", "Materialized.KeySerde");
        var store = new KeyValueStoreBuilder<TKey, TStored>(name, key, storedSerde, materialized.Kind);
        streams.Internal.AddStore(store);
        return store;
    }

    private KTable<TKey, TAggregate> AddAggregate<TAggregate>(KeyValueStoreBuilder<TKey, TAggregate> store, Func<IProcessor<TKey, TValue, TKey, TAggregate>> supplier)
    {
        var name = streams.Internal.NewName("KSTREAM-AGGREGATE-");
        string[] stores = [store.Name];
        streams.Internal.AddNode(new ProcessorDefinition(name, stores, () => new ProcessorNode<TKey, TValue, TKey, TAggregate>(supplier(), stores)), node);
        return new KTable<TKey, TAggregate>(streams, name, store);
    }
}

internal sealed class KTable<TKey, TValue>(StreamsBuilder streams, string node, KeyValueStoreBuilder<TKey, TValue> store) : IKTable<TKey, TValue>
{
    public string QueryableStoreName => store.Name;

    public IKStream<TKey, TValue> ToStream(string? name = null)
    {
        var nodeName = name ?? streams.Internal.NewName("KTABLE-TOSTREAM-");
        streams.Internal.AddNode(new ProcessorDefinition(nodeName, [], () => new ProcessorNode<TKey, TValue, TKey, TValue>(new PassThroughOperator<TKey, TValue>(), [])), node);
        return new KStream<TKey, TValue>(streams, nodeName, store.KeySerde, store.ValueSerde, repartitionRequired: false);
    }
}
