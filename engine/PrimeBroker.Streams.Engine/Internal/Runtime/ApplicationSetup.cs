using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>What a <see cref="StreamsApplication"/> learns and decides before its threads start: the source topics'
/// partition counts, the internal topics it needs, and its stable process id.</summary>
internal static class ApplicationSetup
{
    /// <summary>Partition counts of the source and global topics, from the cluster's metadata.</summary>
    /// <exception cref="TopologyException">A topic does not exist.</exception>
    public static Dictionary<string, int> ReadPartitionCounts(KafkaClients clients, Topology topology, StreamsConfig config)
    {
        using var admin = clients.Admin();
        var topics = topology.SourceTopics.Concat(topology.GlobalStores.Select(g => g.Topic)).Distinct().ToList();
        var counts = new Dictionary<string, int>();
        foreach (var topic in topics)
        {
            var metadata = admin.GetMetadata(topic, config.RequestTimeout).Topics.FirstOrDefault(t => t.Topic == topic);
            if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
            {
                throw new TopologyException($"source topic '{topic}' does not exist ({metadata?.Error.Reason ?? "no metadata"}); create it before starting the application.");
            }

            counts[topic] = metadata.Partitions.Count;
        }

        return counts;
    }

    /// <summary>The changelog and repartition topics of <paramref name="plan"/>, and the instance directory's topic
    /// when the application serves queries.</summary>
    public static List<TopicSpec> InternalTopicSpecs(PartitionPlan plan, StreamsConfig config)
    {
        var specs = new List<TopicSpec>();
        if (config.ApplicationServer is not null)
        {
            specs.Add(new TopicSpec(InstanceDirectory.TopicName(config.ApplicationId), 1, config.InternalTopicReplicationFactor, PartitionPlan.Compacted));
        }

        specs.AddRange(plan.InternalTopicSpecs(config.InternalTopicReplicationFactor));
        return specs;
    }

    /// <summary>A stable id per state directory, so a restarted instance reuses its transactional ids (fencing its own
    /// zombie transactions on a real cluster).</summary>
    public static string ProcessId(StreamsConfig config)
    {
        var dir = Path.Combine(config.StateDirectory, config.ApplicationId);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "process.id");
        if (File.Exists(file) && Guid.TryParse(File.ReadAllText(file).Trim(), out var existing))
        {
            return existing.ToString("N")[..12];
        }

        var id = Guid.NewGuid();
        File.WriteAllText(file, id.ToString());
        return id.ToString("N")[..12];
    }
}
