using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// How many partitions every topic of a topology has and how many tasks each sub-topology runs. The one rule both the
/// runtime (<see cref="StreamsApplication"/>) and the <c>TopologyTestDriver</c> use: a sub-topology runs one task per
/// partition of its largest source; an internal topic (changelog or repartition) gets the task count of the
/// sub-topology that writes it, so every key stays with one task.
/// </summary>
internal sealed class PartitionPlan
{
    private readonly Topology _topology;
    private readonly string _applicationId;
    private readonly Func<string, int?> _known;
    private readonly int? _defaultPartitions;

    /// <param name="topology">The topology to plan.</param>
    /// <param name="applicationId">Prefix of internal topic names.</param>
    /// <param name="known">Partition counts known from outside (the cluster's metadata, or the driver's options); null
    /// for a topic whose count the plan derives. A known count wins, even for an internal topic.</param>
    /// <param name="defaultPartitions">Count of a user topic nobody knows; null makes such a topic an error.</param>
    public PartitionPlan(Topology topology, string applicationId, Func<string, int?> known, int? defaultPartitions = null)
    {
        _topology = topology;
        _applicationId = applicationId;
        _known = known;
        _defaultPartitions = defaultPartitions;
    }

    /// <summary>Tasks of a sub-topology: the largest partition count among its sources.</summary>
    public int TaskCount(SubTopology sub) => sub.ResolvedSourceTopics(_applicationId).Select(PartitionsOf).DefaultIfEmpty(1).Max();

    /// <summary>Partitions of <paramref name="topic"/> (a real name: internal topics with their prefix).</summary>
    /// <exception cref="TopologyException">A user topic with no known count and no default.</exception>
    public int PartitionsOf(string topic)
    {
        if (_known(topic) is { } n)
        {
            return n;
        }

        var changelogStore = _topology.Stores.Keys.FirstOrDefault(s => InternalTopics.Changelog(_applicationId, s) == topic);
        if (changelogStore is not null)
        {
            return TaskCount(_topology.SubTopologies.First(s => s.StoreNames.Contains(changelogStore)));
        }

        var repartition = _topology.RepartitionTopics.FirstOrDefault(t => InternalTopics.Name(_applicationId, t) == topic);
        if (repartition is not null)
        {
            return TaskCount(_topology.SubTopologyWriting(repartition));
        }

        return _defaultPartitions ?? throw new TopologyException($"the partition count of topic '{topic}' is unknown.");
    }

    /// <summary>The sub-topology that owns store <paramref name="storeName"/>.</summary>
    /// <exception cref="ArgumentException">No sub-topology has that store (a global store, or an unknown name).</exception>
    public SubTopology SubTopologyOf(string storeName) =>
        _topology.SubTopologies.FirstOrDefault(s => s.StoreNames.Contains(storeName))
        ?? throw new ArgumentException($"No sub-topology owns store '{storeName}'.", nameof(storeName));

    /// <summary>Checks that the sources of every sub-topology have one partition count (its task p reads partition p
    /// of each).</summary>
    /// <exception cref="TopologyException">Naming the sub-topology and each source's count.</exception>
    public void ValidateCoPartitioning()
    {
        foreach (var sub in _topology.SubTopologies)
        {
            var counts = sub.ResolvedSourceTopics(_applicationId).Select(t => (Topic: t, Count: PartitionsOf(t))).ToList();
            if (counts.Select(c => c.Count).Distinct().Count() > 1)
            {
                throw new TopologyException($"sources of sub-topology {sub.Id} are not co-partitioned: {string.Join(", ", counts.Select(c => $"{c.Topic} ({c.Count} partitions)"))}.");
            }
        }
    }

    /// <summary>The repartition topics (no cleanup policy) and the changelogs of logged stores (compacted).</summary>
    public IReadOnlyList<TopicSpec> InternalTopicSpecs(short replicationFactor)
    {
        var specs = new List<TopicSpec>();
        foreach (var repartition in _topology.RepartitionTopics)
        {
            var name = InternalTopics.Name(_applicationId, repartition);
            specs.Add(new TopicSpec(name, PartitionsOf(name), replicationFactor, new Dictionary<string, string>()));
        }

        foreach (var sub in _topology.SubTopologies)
        {
            foreach (var store in sub.StoreNames.Where(s => _topology.Stores[s].LoggingEnabled))
            {
                specs.Add(new TopicSpec(InternalTopics.Changelog(_applicationId, store), TaskCount(sub), replicationFactor, Compacted));
            }
        }

        return specs;
    }

    /// <summary>Topic settings of a compacted internal topic.</summary>
    public static IReadOnlyDictionary<string, string> Compacted { get; } = new Dictionary<string, string> { ["cleanup.policy"] = "compact" };
}
