using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.App;

/// <summary>Log messages of the host, with stable event ids 9500-9599.</summary>
internal static partial class AppLog
{
    [LoggerMessage(9500, LogLevel.Information, "Provisioning {TopicCount} catalog topics on {BootstrapServers} ({Mode})")]
    internal static partial void Provisioning(ILogger logger, int topicCount, string bootstrapServers, string mode);

    [LoggerMessage(9501, LogLevel.Information, "Dev cluster ready: bootstrap {BootstrapServers}, registry {RegistryUrl}; connection file {OutputFile}")]
    internal static partial void DevClusterReady(ILogger logger, string bootstrapServers, string registryUrl, string outputFile);

    [LoggerMessage(9502, LogLevel.Information, "External cluster provisioned; nothing to keep running, stopping")]
    internal static partial void ExternalProvisioned(ILogger logger);

    [LoggerMessage(9503, LogLevel.Information, "Dev cluster stopped; removed {OutputFile}")]
    internal static partial void DevClusterStopped(ILogger logger, string outputFile);
}

// Event ids 9510-9519: the running prime broker.
internal static partial class AppLog
{
    [LoggerMessage(9510, LogLevel.Information, "Streams application {ApplicationId} started; serving queries as {ApplicationServer}")]
    internal static partial void StreamsStarted(ILogger logger, string applicationId, string applicationServer);

    [LoggerMessage(9511, LogLevel.Information, "Streams application {ApplicationId} stopped: tasks committed and closed")]
    internal static partial void StreamsStopped(ILogger logger, string applicationId);

    [LoggerMessage(9512, LogLevel.Warning, "Embedded cluster: changelog partition {Partition} is {Percent:F0}% full against the 5 MiB cap; past 100% its head is dropped and a restore of that store becomes impossible")]
    internal static partial void HeadroomLow(ILogger logger, string partition, double percent);

    [LoggerMessage(9513, LogLevel.Warning, "Sampling live statistics failed: {Reason}")]
    internal static partial void SamplingFailed(ILogger logger, string reason);

    /// <summary>The domain's counters are not queryable while the instance starts, restores or rebalances: an expected
    /// state, shown by the status line's phase, so Debug.</summary>
    [LoggerMessage(9530, LogLevel.Debug, "Live statistics without the domain's counters this second: {Reason}")]
    internal static partial void SamplingDeferred(ILogger logger, string reason);

    [LoggerMessage(9514, LogLevel.Warning, "Forwarding a query to {Owner} failed: {Reason}")]
    internal static partial void ForwardFailed(ILogger logger, string owner, string reason);

    [LoggerMessage(9515, LogLevel.Information, "Claimed {Topic} partition {Partition} for numbering trades: read back, counters continue from the previous owner's")]
    internal static partial void PartitionClaimed(ILogger logger, int partition, string topic);

    [LoggerMessage(9516, LogLevel.Information, "Released trade-numbering partition {Partition}: it left this instance or the group is rebalancing")]
    internal static partial void PartitionReleased(ILogger logger, int partition);

    [LoggerMessage(9517, LogLevel.Warning, "Streams application {ApplicationId} did not stop within the host's shutdown timeout; the process exits without waiting for it (open transactions are aborted, local state is recovered at the next start)")]
    internal static partial void StreamsStopAbandoned(ILogger logger, string applicationId);

    [LoggerMessage(9518, LogLevel.Warning, "{What} did not finish within the host's shutdown timeout; the process exits without waiting for it")]
    internal static partial void ShutdownStepAbandoned(ILogger logger, string what);

    [LoggerMessage(9519, LogLevel.Information, "Removed {Count} state directories of earlier demos that were stopped or killed before they could delete them")]
    internal static partial void DemoLeftoversRemoved(ILogger logger, int count);

    [LoggerMessage(9521, LogLevel.Information, "Kafka clients connect to {BootstrapServers} with settings {ClientSettings}")]
    internal static partial void KafkaClients(ILogger logger, string bootstrapServers, string clientSettings);

    [LoggerMessage(9522, LogLevel.Warning, "Topic configs could not be read ({Reason}): cleanup policies were not checked, only partition counts")]
    internal static partial void TopicConfigsUnreadable(ILogger logger, string reason);

    [LoggerMessage(9523, LogLevel.Information, "Waiting for the topic catalog: {Reason}")]
    internal static partial void TopicsNotReady(ILogger logger, string reason);

    /// <summary>A librdkafka log line of one of the host's own clients, at the level librdkafka gave it (<c>ClientLogs</c>).</summary>
    [LoggerMessage(EventId = 9531, Message = "Kafka client {Client} {Facility}: {Message}")]
    internal static partial void ClientLog(ILogger logger, LogLevel level, string client, string facility, string message);

    /// <summary>An error one of the host's own clients reported (<c>ClientLogs.LevelOf(Error)</c>).</summary>
    [LoggerMessage(EventId = 9532, Message = "Kafka client {Client} error {Code}: {Reason}")]
    internal static partial void ClientError(ILogger logger, LogLevel level, string client, string code, string reason);
}
