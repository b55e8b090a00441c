using System.Text;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine;

/// <summary>
/// A validated, immutable processing graph made by <see cref="StreamsBuilder.Build"/>: sub-topologies of nodes, their
/// stores, internal topics and global stores. Run it with <c>StreamsApplication</c> or the <c>TopologyTestDriver</c>.
/// </summary>
/// <remarks>Immutable and thread-safe: one topology may run in several applications and drivers at once (each builds
/// its own processor instances through the suppliers).</remarks>
public sealed class Topology
{
    internal Topology(
        IReadOnlyDictionary<string, NodeDefinition> nodes,
        IReadOnlyDictionary<string, StoreBuilder> stores,
        IReadOnlyList<SubTopology> subTopologies,
        IReadOnlyList<GlobalStoreDefinition> globalStores)
    {
        Nodes = nodes;
        Stores = stores;
        SubTopologies = subTopologies;
        GlobalStores = globalStores;
    }

    internal IReadOnlyDictionary<string, NodeDefinition> Nodes { get; }

    internal IReadOnlyDictionary<string, StoreBuilder> Stores { get; }

    internal IReadOnlyList<SubTopology> SubTopologies { get; }

    internal IReadOnlyList<GlobalStoreDefinition> GlobalStores { get; }

    /// <summary>Source topics the application reads (user topics, not internal ones), in a stable order.</summary>
    public IReadOnlyList<string> SourceTopics =>
        SubTopologies.SelectMany(s => s.Sources).Where(s => !s.IsInternalTopic).SelectMany(s => s.Topics).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Names of the stores that have changelogs.</summary>
    public IReadOnlyList<string> LoggedStoreNames =>
        SubTopologies.SelectMany(s => s.StoreNames).Where(n => Stores[n].LoggingEnabled).ToList();

    /// <summary>Logical names of repartition topics (without the application id prefix).</summary>
    public IReadOnlyList<string> RepartitionTopics =>
        Nodes.Values.OfType<SinkDefinition>().Where(s => s.IsInternalTopic).Select(s => s.Topic).Distinct().ToList();

    /// <summary>The sub-topology whose sink writes repartition topic <paramref name="logicalName"/>: its partition count
    /// is the repartition topic's.</summary>
    internal SubTopology SubTopologyWriting(string logicalName) =>
        SubTopologies.First(s => s.NodeNames.Any(n => Nodes[n] is SinkDefinition { IsInternalTopic: true } sink && sink.Topic == logicalName));

    /// <summary>A readable description of sub-topologies, nodes, stores and topics, in the layout of Kafka Streams'
    /// <c>TopologyDescription</c>; internal topics are shown as <c>&lt;app&gt;-&lt;name&gt;</c>. For people, not for
    /// parsing: the format may change.</summary>
    /// <returns>A multi-line description.</returns>
    public string Describe()
    {
        var sb = new StringBuilder("Topologies:\n");
        foreach (var sub in SubTopologies)
        {
            sb.Append("   Sub-topology: ").Append(sub.Id).Append('\n');
            foreach (var name in sub.NodeNames)
            {
                var node = Nodes[name];
                sb.Append("    ");
                switch (node)
                {
                    case SourceDefinition s:
                        sb.Append("Source: ").Append(name).Append(" (topics: [").Append(string.Join(", ", s.Topics.Select(t => s.IsInternalTopic ? $"<app>-{t}" : t))).Append("])");
                        break;
                    case SinkDefinition s:
                        sb.Append("Sink: ").Append(name).Append(" (topic: ").Append(s.IsInternalTopic ? $"<app>-{s.Topic}" : s.Topic).Append(')');
                        break;
                    case ProcessorDefinition p:
                        sb.Append("Processor: ").Append(name).Append(" (stores: [").Append(string.Join(", ", p.StoreNames)).Append("])");
                        break;
                }

                sb.Append('\n');
                if (node.Children.Count > 0)
                {
                    sb.Append("      --> ").Append(string.Join(", ", node.Children)).Append('\n');
                }

                if (node.Parents.Count > 0)
                {
                    sb.Append("      <-- ").Append(string.Join(", ", node.Parents)).Append('\n');
                }
            }
        }

        foreach (var g in GlobalStores)
        {
            sb.Append("   Global store: ").Append(g.StoreName).Append(" (topic: ").Append(g.Topic).Append(")\n");
        }

        return sb.ToString();
    }

    /// <summary>The topology's structure as data (Kafka Streams' <c>Topology.describe()</c>): sub-topologies with their
    /// nodes, topics and stores, and the global stores.</summary>
    /// <param name="applicationId">Names repartition and changelog topics as they are for this application id; null
    /// writes them as <c>&lt;app&gt;-&lt;name&gt;</c>, as <see cref="Describe"/> does.</param>
    /// <returns>The description.</returns>
    public TopologyDescription Description(string? applicationId = null)
    {
        string Internal(string name) => applicationId is null ? $"<app>-{name}" : InternalTopics.Name(applicationId, name);
        var subs = SubTopologies.Select(sub => new SubTopologyDescription(
            sub.Id,
            sub.NodeNames.Select(name => Nodes[name] switch
            {
                SourceDefinition s => Node(s, TopologyNodeKind.Source, s.Topics.Select(t => s.IsInternalTopic ? Internal(t) : t).ToList(), []),
                SinkDefinition s => Node(s, TopologyNodeKind.Sink, [s.IsInternalTopic ? Internal(s.Topic) : s.Topic], []),
                ProcessorDefinition p => Node(p, TopologyNodeKind.Processor, [], p.StoreNames),
                var other => Node(other, TopologyNodeKind.Processor, [], []),
            }).ToList(),
            sub.StoreNames.Select(n => new StoreDescription(n, Stores[n].Kind, Stores[n].LoggingEnabled ? Internal($"{n}-changelog") : null)).ToList()))
            .ToList();
        return new TopologyDescription(subs, GlobalStores.Select(g => new GlobalStoreDescription(g.StoreName, g.Topic, g.Kind)).ToList());

        static NodeDescription Node(NodeDefinition node, TopologyNodeKind kind, IReadOnlyList<string> topics, IReadOnlyList<string> stores) =>
            new(node.Name, kind, topics, stores, node.Parents.ToList(), node.Children.ToList());
    }

    /// <summary>Same as <see cref="Describe"/>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Describe();
}
