using PrimeBroker.Streams.Engine.Dsl;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>A topology resolved for one application id and cluster: real topic names and partition counts.</summary>
internal sealed class RuntimeTopology
{
    public RuntimeTopology(Topology topology, string applicationId, IReadOnlyDictionary<string, int> partitionCounts)
    {
        Topology = topology;
        foreach (var sub in topology.SubTopologies)
        {
            foreach (var source in sub.Sources)
            {
                foreach (var resolved in source.ResolvedTopics(applicationId))
                {
                    SubTopologyByTopic[resolved] = sub;
                    ResetPolicyByTopic[resolved] = source.ResetPolicy;
                }
            }
        }

        PartitionCounts = partitionCounts;
    }

    public Topology Topology { get; }

    public Dictionary<string, SubTopology> SubTopologyByTopic { get; } = new();

    public Dictionary<string, OffsetResetPolicy> ResetPolicyByTopic { get; } = new();

    public IReadOnlyDictionary<string, int> PartitionCounts { get; }

    public IReadOnlyList<string> SourceTopics => SubTopologyByTopic.Keys.Order(StringComparer.Ordinal).ToList();
}
