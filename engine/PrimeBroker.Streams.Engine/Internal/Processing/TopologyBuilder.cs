using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>Collects nodes and stores for <see cref="StreamsBuilder"/>; <see cref="Build"/> validates and splits them into
/// sub-topologies.</summary>
internal sealed class TopologyBuilder
{
    private readonly Dictionary<string, NodeDefinition> _nodes = new();
    private readonly Dictionary<string, StoreBuilder> _stores = new();
    private readonly List<GlobalStoreDefinition> _globalStores = new();
    private readonly List<string> _order = new();
    private int _index;

    public string NewName(string prefix) => $"{prefix}{_index++:D10}";

    public void AddNode(NodeDefinition node, params string[] parents)
    {
        if (!_nodes.TryAdd(node.Name, node))
        {
            throw new TopologyException($"node name '{node.Name}' is used twice.");
        }

        _order.Add(node.Name);
        foreach (var parent in parents)
        {
            if (!_nodes.TryGetValue(parent, out var p))
            {
                throw new TopologyException($"node '{node.Name}' names unknown parent '{parent}'.");
            }

            p.Children.Add(node.Name);
            node.Parents.Add(parent);
        }
    }

    public void AddStore(StoreBuilder store)
    {
        if (!_stores.TryAdd(store.Name, store))
        {
            throw new TopologyException($"store '{store.Name}' is added twice.");
        }
    }

    public void AddGlobalStore(GlobalStoreDefinition global, StoreBuilder store)
    {
        AddStore(store);
        _globalStores.Add(global);
    }

    public Topology Build()
    {
        var globalNames = _globalStores.Select(g => g.StoreName).ToHashSet();
        var usedStores = new HashSet<string>();
        foreach (var node in _nodes.Values)
        {
            if (node is not SourceDefinition && node.Parents.Count == 0)
            {
                throw new TopologyException($"node '{node.Name}' has no parent, so no record can reach it.");
            }

            if (node is SourceDefinition && node.Children.Count == 0)
            {
                throw new TopologyException($"source '{node.Name}' has no children; its records would go nowhere.");
            }

            if (node is ProcessorDefinition p)
            {
                foreach (var store in p.StoreNames)
                {
                    if (!_stores.ContainsKey(store))
                    {
                        throw new TopologyException($"processor '{p.Name}' uses unknown store '{store}'; add it with AddStateStore.");
                    }

                    if (globalNames.Contains(store))
                    {
                        throw new TopologyException($"processor '{p.Name}' connects global store '{store}'; global stores are readable from every processor without connecting them.");
                    }

                    usedStores.Add(store);
                }
            }
        }

        var unused = _stores.Keys.Where(s => !usedStores.Contains(s) && !globalNames.Contains(s)).ToList();
        if (unused.Count > 0)
        {
            throw new TopologyException($"store(s) {string.Join(", ", unused.Select(s => $"'{s}'"))} are not connected to any processor.");
        }

        var sourceTopics = new Dictionary<string, string>();
        foreach (var source in _nodes.Values.OfType<SourceDefinition>())
        {
            foreach (var topic in source.Topics)
            {
                if (!sourceTopics.TryAdd(topic, source.Name))
                {
                    throw new TopologyException($"topic '{topic}' is read by two sources ('{sourceTopics[topic]}' and '{source.Name}').");
                }
            }
        }

        return new Topology(new Dictionary<string, NodeDefinition>(_nodes), new Dictionary<string, StoreBuilder>(_stores), SplitSubTopologies(), _globalStores.ToList());
    }

    /// <summary>Connected components over parent/child edges and shared stores; sink→repartition-source is not an edge.</summary>
    private List<SubTopology> SplitSubTopologies()
    {
        var parent = _order.ToDictionary(n => n, n => n);
        string Find(string x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        void Union(string a, string b) => parent[Find(a)] = Find(b);

        foreach (var node in _nodes.Values)
        {
            foreach (var child in node.Children)
            {
                Union(node.Name, child);
            }
        }

        var storeOwner = new Dictionary<string, string>();
        foreach (var p in _nodes.Values.OfType<ProcessorDefinition>())
        {
            foreach (var store in p.StoreNames)
            {
                if (storeOwner.TryGetValue(store, out var other))
                {
                    Union(other, p.Name);
                }
                else
                {
                    storeOwner[store] = p.Name;
                }
            }
        }

        var groups = _order.GroupBy(Find).ToList();
        var result = new List<SubTopology>();
        foreach (var group in groups)
        {
            var names = group.ToList();
            var sources = names.Select(n => _nodes[n]).OfType<SourceDefinition>().ToList();
            var stores = names.Select(n => _nodes[n]).OfType<ProcessorDefinition>().SelectMany(p => p.StoreNames).Distinct().ToList();
            result.Add(new SubTopology(result.Count, names, sources, stores));
        }

        return result;
    }
}
