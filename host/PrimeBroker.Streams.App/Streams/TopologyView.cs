using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Streams;

/// <summary>
/// The prime broker's topology as <c>GET /topology</c> and <c>describe --json</c> show it, like Kafka Streams'
/// <c>Topology.describe()</c>: sub-topologies with their processors, stores and topics, the global stores, and, from a
/// running instance, the approximate entries of each store per task this instance holds (<c>rocksdb.estimate-num-keys</c>,
/// an estimate).
/// </summary>
/// <param name="ApplicationId">The application id the topic names are resolved for.</param>
/// <param name="Instance">The instance whose store sizes these are (its application server), or null without sizes.</param>
/// <param name="SubTopologies">The sub-topologies.</param>
/// <param name="GlobalStores">The global stores.</param>
/// <param name="Text">The same in Kafka Streams' text layout (<c>Topology.Describe()</c>).</param>
public sealed record TopologyView(string ApplicationId, string? Instance, IReadOnlyList<SubTopologyView> SubTopologies,
    IReadOnlyList<GlobalStoreView> GlobalStores, string Text)
{
    /// <summary>The view of <paramref name="topology"/> for <paramref name="applicationId"/>, with the store sizes of
    /// one instance when <paramref name="sizes"/> are given.</summary>
    internal static TopologyView From(Topology topology, string applicationId, string? instance, IReadOnlyList<LocalStoreSize>? sizes)
    {
        var description = topology.Description(applicationId);
        IReadOnlyList<StoreTaskSize>? TasksOf(string store) =>
            sizes?.Where(s => s.Store == store && s.Task is not null).Select(s => new StoreTaskSize(s.Task!, s.ApproximateEntries)).ToList();
        return new TopologyView(
            applicationId,
            instance,
            description.SubTopologies.Select(sub => new SubTopologyView(
                sub.Id,
                sub.Nodes.Select(n => new NodeView(n.Name, n.Kind.ToString(), n.Topics, n.Stores, n.Predecessors, n.Successors)).ToList(),
                sub.Stores.Select(s => new StoreView(s.Name, s.Kind.ToString(), s.ChangelogTopic, TasksOf(s.Name))).ToList())).ToList(),
            description.GlobalStores.Select(g => new GlobalStoreView(g.Name, g.Topic, g.Kind.ToString(),
                sizes?.FirstOrDefault(s => s.Store == g.Name && s.Task is null)?.ApproximateEntries)).ToList(),
            topology.Describe());
    }
}

/// <summary>One sub-topology: it runs as one task per partition of its sources (task <c>id_partition</c>).</summary>
/// <param name="Id">Its id.</param>
/// <param name="Nodes">Sources, processors and sinks.</param>
/// <param name="Stores">Its state stores.</param>
public sealed record SubTopologyView(int Id, IReadOnlyList<NodeView> Nodes, IReadOnlyList<StoreView> Stores);

/// <summary>A node of a sub-topology.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Kind"><c>Source</c>, <c>Processor</c> or <c>Sink</c>.</param>
/// <param name="Topics">A source's topics or a sink's topic.</param>
/// <param name="Stores">A processor's stores.</param>
/// <param name="Predecessors">Nodes that forward to it.</param>
/// <param name="Successors">Nodes it forwards to.</param>
public sealed record NodeView(string Name, string Kind, IReadOnlyList<string> Topics, IReadOnlyList<string> Stores,
    IReadOnlyList<string> Predecessors, IReadOnlyList<string> Successors);

/// <summary>A state store of a sub-topology.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Kind"><c>Persistent</c> or <c>InMemory</c>.</param>
/// <param name="ChangelogTopic">Its changelog, or null when not logged.</param>
/// <param name="Tasks">This instance's tasks that hold it, with approximate entries; null when not asked of a running
/// instance.</param>
public sealed record StoreView(string Name, string Kind, string? ChangelogTopic, IReadOnlyList<StoreTaskSize>? Tasks)
{
    /// <summary>The approximate entries over this instance's tasks; null without sizes.</summary>
    public long? ApproximateEntries => Tasks?.Sum(t => t.ApproximateEntries);
}

/// <summary>The approximate entries of a store in one task of this instance.</summary>
/// <param name="Task">The task (<c>1_4</c>).</param>
/// <param name="ApproximateEntries">RocksDB's estimate of its keys.</param>
public sealed record StoreTaskSize(string Task, long ApproximateEntries);

/// <summary>A global store (every instance holds all of it).</summary>
/// <param name="Name">Its name.</param>
/// <param name="Topic">The topic it reads.</param>
/// <param name="Kind"><c>Persistent</c> or <c>InMemory</c>.</param>
/// <param name="ApproximateEntries">Its approximate entries on this instance; null without sizes.</param>
public sealed record GlobalStoreView(string Name, string Topic, string Kind, long? ApproximateEntries);
