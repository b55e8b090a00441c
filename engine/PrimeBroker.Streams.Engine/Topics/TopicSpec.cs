namespace PrimeBroker.Streams.Engine.Topics;

/// <summary>One topic as it should exist on the cluster.</summary>
/// <param name="Name">Topic name.</param>
/// <param name="Partitions">Partition count; an existing topic with another count is an error, never silently accepted.</param>
/// <param name="ReplicationFactor">Replicas per partition.</param>
/// <param name="Configs">Topic-level configs (retention.ms, cleanup.policy, min.insync.replicas, ...). Applied on a real
/// cluster; the embedded cluster has no retention or compaction and ignores them.</param>
public sealed record TopicSpec(string Name, int Partitions, short ReplicationFactor, IReadOnlyDictionary<string, string> Configs)
{
    /// <summary>A topic with no topic-level configs.</summary>
    /// <param name="name">Topic name.</param>
    /// <param name="partitions">Partition count.</param>
    /// <param name="replicationFactor">Replicas per partition. Default 3.</param>
    public TopicSpec(string name, int partitions, short replicationFactor = 3)
        : this(name, partitions, replicationFactor, new Dictionary<string, string>())
    {
    }
}
