using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine;

/// <summary>
/// The structure of a <see cref="Topology"/> as data, like Kafka Streams' <c>TopologyDescription</c>: its sub-topologies
/// with their nodes and stores, and its global stores. Made by <see cref="Topology.Description"/>; for tools and APIs
/// that show a topology (the text form is <see cref="Topology.Describe"/>).
/// </summary>
/// <param name="SubTopologies">The sub-topologies in id order; each runs as one task per partition of its sources.</param>
/// <param name="GlobalStores">Stores fed from every partition of a topic and readable by every task.</param>
public sealed record TopologyDescription(IReadOnlyList<SubTopologyDescription> SubTopologies, IReadOnlyList<GlobalStoreDescription> GlobalStores);

/// <summary>A connected part of a topology.</summary>
/// <param name="Id">Its id, the first number of its task ids (<c>1_4</c> is sub-topology 1, partition 4).</param>
/// <param name="Nodes">Its nodes in the order they were added.</param>
/// <param name="Stores">The stores its processors use.</param>
public sealed record SubTopologyDescription(int Id, IReadOnlyList<NodeDescription> Nodes, IReadOnlyList<StoreDescription> Stores);

/// <summary>One node of a sub-topology.</summary>
/// <param name="Name">The node's name.</param>
/// <param name="Kind">Source, processor or sink.</param>
/// <param name="Topics">A source's topics, a sink's topic; empty for a processor. Repartition topics are given by their
/// real name for the application (<c>&lt;application.id&gt;-&lt;name&gt;</c>) when the description was made for one, else as
/// <c>&lt;app&gt;-&lt;name&gt;</c>.</param>
/// <param name="Stores">A processor's stores; empty otherwise.</param>
/// <param name="Predecessors">Nodes that forward to this one.</param>
/// <param name="Successors">Nodes this one forwards to.</param>
public sealed record NodeDescription(string Name, TopologyNodeKind Kind, IReadOnlyList<string> Topics, IReadOnlyList<string> Stores,
    IReadOnlyList<string> Predecessors, IReadOnlyList<string> Successors);

/// <summary>What a node of a topology is.</summary>
public enum TopologyNodeKind
{
    /// <summary>Reads records from topics.</summary>
    Source,

    /// <summary>Processes records, with or without stores.</summary>
    Processor,

    /// <summary>Writes records to a topic.</summary>
    Sink,
}

/// <summary>A state store of a sub-topology.</summary>
/// <param name="Name">The store's name (what interactive queries ask for).</param>
/// <param name="Kind">Persistent (RocksDB) or in memory.</param>
/// <param name="ChangelogTopic">Its changelog topic (named as the node topics are), or null when logging is off.</param>
public sealed record StoreDescription(string Name, StoreKind Kind, string? ChangelogTopic);

/// <summary>A global store.</summary>
/// <param name="Name">The store's name.</param>
/// <param name="Topic">The topic it is read from.</param>
/// <param name="Kind">Persistent (RocksDB) or in memory.</param>
public sealed record GlobalStoreDescription(string Name, string Topic, StoreKind Kind);

/// <summary>The approximate size of one local store of one task (or of a global store), as RocksDB estimates it
/// (<c>rocksdb.estimate-num-keys</c>; Kafka Streams' <c>estimate-num-keys</c> metric): an estimate, not a count.</summary>
/// <param name="Store">The store's name.</param>
/// <param name="Task">The task that holds it (<c>1_4</c>), or null for a global store.</param>
/// <param name="ApproximateEntries">Approximate number of entries in its committed state.</param>
public sealed record LocalStoreSize(string Store, string? Task, long ApproximateEntries);
