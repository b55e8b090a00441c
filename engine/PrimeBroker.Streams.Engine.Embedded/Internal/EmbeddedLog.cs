using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.Embedded.Internal;

/// <summary>Log messages of the embedded cluster, with stable event ids 9100-9199.</summary>
internal static partial class EmbeddedLog
{
    [LoggerMessage(9100, LogLevel.Information, "Embedded Kafka cluster started: {BrokerCount} brokers at {BootstrapServers} (librdkafka: {NativeLibrary})")]
    internal static partial void ClusterStarted(ILogger logger, int brokerCount, string bootstrapServers, string? nativeLibrary);

    [LoggerMessage(9101, LogLevel.Information, "Embedded Kafka cluster at {BootstrapServers} stopped")]
    internal static partial void ClusterStopped(ILogger logger, string bootstrapServers);

    [LoggerMessage(9110, LogLevel.Information, "Created topic {Topic} with {Partitions} partitions, replication {ReplicationFactor} (embedded)")]
    internal static partial void TopicCreated(ILogger logger, string topic, int partitions, int replicationFactor);

    [LoggerMessage(9111, LogLevel.Debug, "Topic {Topic} exists with the expected {Partitions} partitions (embedded)")]
    internal static partial void TopicVerified(ILogger logger, string topic, int partitions);

    [LoggerMessage(9112, LogLevel.Information, "Deleted topic {Topic} (embedded)")]
    internal static partial void TopicDeleted(ILogger logger, string topic);

    [LoggerMessage(9113, LogLevel.Information, "Deleted records of {Topic} [{Partition}] before offset {BeforeOffset} (embedded)")]
    internal static partial void RecordsDeleted(ILogger logger, string topic, int partition, long beforeOffset);

    [LoggerMessage(9120, LogLevel.Information, "Fault injection: broker {BrokerId} down")]
    internal static partial void BrokerDown(ILogger logger, int brokerId);

    [LoggerMessage(9121, LogLevel.Information, "Fault injection: broker {BrokerId} up")]
    internal static partial void BrokerUp(ILogger logger, int brokerId);

    [LoggerMessage(9122, LogLevel.Information, "Fault injection: leader of {Topic} [{Partition}] moved to broker {BrokerId}")]
    internal static partial void LeaderMoved(ILogger logger, string topic, int partition, int brokerId);
}
