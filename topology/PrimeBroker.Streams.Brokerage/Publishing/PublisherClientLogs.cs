using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Brokerage.Internal;

namespace PrimeBroker.Streams.Brokerage.Publishing;

/// <summary>
/// Routes the log lines and errors of the trade publisher's clients (its producer, and the admin client and consumer of
/// its read-back) to its <see cref="ILogger"/> at the level librdkafka gave them, as the engine and the host do for
/// theirs: confluent-kafka-dotnet's <c>LogMessage.LevelAs(LogLevelType.MicrosoftExtensionsLogging)</c> maps
/// emergency, alert and critical to Critical, error to Error, warning to Warning, notice and info to Information, debug
/// to Debug. An error reported through the error handler is an Error when fatal, else a Warning (librdkafka recovers by
/// itself and also logs the cause as a line).
/// </summary>
internal static class PublisherClientLogs
{
    internal static LogLevel LevelOf(LogMessage message) => (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);

    internal static LogLevel LevelOf(Error error) => error.IsFatal ? LogLevel.Error : LogLevel.Warning;

    internal static ProducerBuilder<TKey, TValue> LoggingTo<TKey, TValue>(this ProducerBuilder<TKey, TValue> builder, ILogger logger) =>
        builder.SetLogHandler((_, m) => Write(logger, m)).SetErrorHandler((p, e) => Write(logger, p.Name, e));

    internal static ConsumerBuilder<TKey, TValue> LoggingTo<TKey, TValue>(this ConsumerBuilder<TKey, TValue> builder, ILogger logger) =>
        builder.SetLogHandler((_, m) => Write(logger, m)).SetErrorHandler((c, e) => Write(logger, c.Name, e));

    internal static AdminClientBuilder LoggingTo(this AdminClientBuilder builder, ILogger logger) =>
        builder.SetLogHandler((_, m) => Write(logger, m)).SetErrorHandler((a, e) => Write(logger, a.Name, e));

    private static void Write(ILogger logger, LogMessage message) => Log.ClientLog(logger, LevelOf(message), message.Name, message.Facility, message.Message);

    private static void Write(ILogger logger, string client, Error error) => Log.ClientError(logger, LevelOf(error), client, error.Code.ToString(), error.Reason);
}
