using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>
/// Routes the log lines and errors of the host's own Kafka clients (the dead-letter reader, the instrument publisher and
/// reader, <c>topics</c>, the demo's headroom monitor, <c>dev-cluster</c>'s provisioning; every builder takes
/// <c>LoggingTo(clients.Log)</c>) to <see cref="ILogger"/> at the level librdkafka gave them, as the engine does for its
/// own clients.
/// Levels map as confluent-kafka-dotnet's <c>LogMessage.LevelAs(LogLevelType.MicrosoftExtensionsLogging)</c>, which is
/// called here: emergency, alert and critical to Critical, error to Error, warning to Warning, notice and info to
/// Information, debug to Debug. So "all brokers down" (a librdkafka error line) is an error, not a debug line.
/// </summary>
internal static class ClientLogs
{
    /// <summary>The logger category of the host's Kafka clients.</summary>
    internal const string Category = "PrimeBroker.Streams.App.Kafka";

    /// <summary>The level of a librdkafka log line.</summary>
    internal static LogLevel LevelOf(LogMessage message) => (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);

    /// <summary>The level of an error a client reports through its error handler: a fatal one (the client is unusable) is
    /// an error; the others are transient and librdkafka recovers from them by itself, so a warning (librdkafka also
    /// logs the cause, e.g. all brokers down, as an error line).</summary>
    internal static LogLevel LevelOf(Error error) => error.IsFatal ? LogLevel.Error : LogLevel.Warning;

    /// <summary>Logs the producer's lines and errors to <paramref name="logger"/>; null keeps librdkafka's default (stderr).</summary>
    internal static ProducerBuilder<TKey, TValue> LoggingTo<TKey, TValue>(this ProducerBuilder<TKey, TValue> builder, ILogger? logger) =>
        logger is null ? builder : builder.SetLogHandler((_, m) => Write(logger, m)).SetErrorHandler((p, e) => Write(logger, p.Name, e));

    /// <summary>Logs the consumer's lines and errors to <paramref name="logger"/>; null keeps librdkafka's default (stderr).</summary>
    internal static ConsumerBuilder<TKey, TValue> LoggingTo<TKey, TValue>(this ConsumerBuilder<TKey, TValue> builder, ILogger? logger) =>
        logger is null ? builder : builder.SetLogHandler((_, m) => Write(logger, m)).SetErrorHandler((c, e) => Write(logger, c.Name, e));

    /// <summary>Logs the admin client's lines and errors to <paramref name="logger"/>; null keeps librdkafka's default (stderr).</summary>
    internal static AdminClientBuilder LoggingTo(this AdminClientBuilder builder, ILogger? logger) =>
        logger is null ? builder : builder.SetLogHandler((_, m) => Write(logger, m)).SetErrorHandler((a, e) => Write(logger, a.Name, e));

    private static void Write(ILogger logger, LogMessage message) => AppLog.ClientLog(logger, LevelOf(message), message.Name, message.Facility, message.Message);

    private static void Write(ILogger logger, string client, Error error) => AppLog.ClientError(logger, LevelOf(error), client, error.Code.ToString(), error.Reason);
}
