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
