using PrimeBroker.Streams.Engine.Dsl;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>A topology resolved for one application id and cluster: real topic names and partition counts.</summary>
internal sealed class RuntimeTopology
{
    public RuntimeTopology(Topology topology, string applicationId, IReadOnlyDictionary<string, int> partitionCounts)
    {
        Topology = topology;
        ApplicationId = applicationId;
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

    /// <summary>
    /// Whether every task reads exactly one topic. Only then may the stream consumers use librdkafka's cooperative-sticky
    /// assignor (<see cref="StreamsConfig.CooperativeRebalancing"/>); otherwise range, because cooperative-sticky does
    /// not keep partition p of co-partitioned topics on one member and librdkafka takes no custom assignor.
    /// </summary>
    public bool EveryTaskReadsOneTopic => Topology.SubTopologies.All(sub => sub.Sources.Sum(s => s.ResolvedTopics(ApplicationId).Count()) == 1);

    public string ApplicationId { get; }

    public IReadOnlyList<string> SourceTopics => SubTopologyByTopic.Keys.Order(StringComparer.Ordinal).ToList();
}
