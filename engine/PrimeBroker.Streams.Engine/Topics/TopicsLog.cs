using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.Topics;

/// <summary>Log messages of topic provisioning, with stable event ids 1100-1199.</summary>
internal static partial class TopicsLog
{
    [LoggerMessage(1100, LogLevel.Information, "Created topic {Topic} with {Partitions} partitions, replication {ReplicationFactor}")]
    internal static partial void TopicCreated(ILogger logger, string topic, int partitions, short replicationFactor);

    [LoggerMessage(1101, LogLevel.Debug, "Topic {Topic} exists with the expected {Partitions} partitions")]
    internal static partial void TopicVerified(ILogger logger, string topic, int partitions);

    [LoggerMessage(1102, LogLevel.Information, "Topic {Topic} was created concurrently; verifying it")]
    internal static partial void TopicCreatedConcurrently(ILogger logger, string topic);
}
