using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.Engine.Embedded.Internal;

/// <summary>
/// <see cref="ITopicProvisioner"/> for the embedded cluster: reads existing partition counts from a metadata request
/// (the mock API has no getter), creates missing topics through <c>rd_kafka_mock_topic_create</c> and rejects existing
/// topics with another partition count. Configs are ignored: the mock has no retention, compaction or topic configs.
/// </summary>
internal sealed class EmbeddedTopicProvisioner(EmbeddedKafkaCluster cluster, TimeSpan metadataTimeout, ILogger logger)
    : ITopicProvisioner
{
    public async Task EnsureTopicsAsync(IEnumerable<TopicSpec> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var specs = topics.ToList();
        var existing = await ReadPartitionCountsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var spec in specs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!existing.TryGetValue(spec.Name, out var actual))
            {
                var replication = Math.Min(spec.ReplicationFactor, cluster.BrokerCount);
                try
                {
                    cluster.CreateTopic(spec.Name, spec.Partitions, replication);
                    EmbeddedLog.TopicCreated(logger, spec.Name, spec.Partitions, replication);
                    continue;
                }
                catch (KafkaException e) when (e.Error.Code == ErrorCode.TopicAlreadyExists)
                {
                    // Created concurrently (or auto-created by a producer) since the metadata was read: verify it.
                    existing = await ReadPartitionCountsAsync(cancellationToken).ConfigureAwait(false);
                    actual = existing[spec.Name];
                }
            }

            if (actual != spec.Partitions)
            {
                throw new TopicMismatchException(spec.Name, spec.Partitions, actual);
            }

            EmbeddedLog.TopicVerified(logger, spec.Name, actual);
        }
    }

    private async Task<Dictionary<string, int>> ReadPartitionCountsAsync(CancellationToken cancellationToken)
    {
        var config = new AdminClientConfig { BootstrapServers = cluster.BootstrapServers };
        using var admin = new AdminClientBuilder(config).Build();
        // GetMetadata blocks; all-topics metadata never auto-creates a topic.
        var metadata = await Task.Run(() => admin.GetMetadata(metadataTimeout), cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in metadata.Topics)
        {
            if (topic.Error.Code == ErrorCode.NoError)
            {
                counts[topic.Topic] = topic.Partitions.Count;
            }
        }

        return counts;
    }
}
