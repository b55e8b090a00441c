using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.Internal.Kafka;

/// <summary>
/// The level a Kafka client's log line or error is logged at. librdkafka gives its lines syslog levels (0 emergency
/// to 7 debug); they map as confluent-kafka-dotnet's <c>LogMessage.LevelAs(LogLevelType.MicrosoftExtensionsLogging)</c>
/// maps them: emergency, alert and critical to Critical, error to Error, warning to Warning, notice and info to
/// Information, debug to Debug. So "all brokers down" (a librdkafka error line) is an error, not a debug line.
/// </summary>
internal static class ClientLogLevels
{
    /// <summary>The level of a librdkafka log line: the client library's own mapping, so the engine, the host and the
    /// trade publisher (which call it too) cannot drift apart.</summary>
    public static LogLevel For(LogMessage message) => (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);

    /// <summary>The level of a librdkafka syslog level.</summary>
    public static LogLevel For(SyslogLevel level) => For(new LogMessage(string.Empty, level, string.Empty, string.Empty));

    /// <summary>The level of an error a client reports through its error handler: a fatal error (the client is
    /// unusable) is an error; the others are transient, librdkafka recovers from them by itself (confluent-kafka-dotnet's
    /// documentation of the error handler), so a warning.</summary>
    public static LogLevel ForError(Error error) => error.IsFatal ? LogLevel.Error : LogLevel.Warning;
}
