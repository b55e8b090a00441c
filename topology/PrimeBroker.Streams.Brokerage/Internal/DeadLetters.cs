using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Internal;

internal static class DeadLetters
{
    /// <summary>A dead letter carrying the original key and value bytes, where they came from, and why.</summary>
    /// <remarks><c>retryCount</c> is <paramref name="attempts"/>: how many times the record was attempted (1 unless the
    /// registry was retried), as the schema documents the field.</remarks>
    public static DeadLetterFlow Create(SourceRecord source, DeadLetterReason reason, string message, int attempts, long nowMs) =>
        new(source.Key, new FailedTradeEvent
        {
            originalKey = source.Key,
            originalValue = source.Value,
            sourceTopic = source.Topic,
            sourcePartition = source.Partition,
            sourceOffset = source.Offset,
            errorType = reason.ToString(),
            errorMessage = message,
            retryCount = attempts,
            timestamp = DateTimeOffset.FromUnixTimeMilliseconds(nowMs).UtcDateTime,
        }, reason);
}

internal static class Alerts
{
    public static AlertFlow Create(string alertId, AlertKind kind, AlertSeverity severity, string? accountId, string message,
        IDictionary<string, string> details, long nowMs) =>
        new(new BrokerageAlert
        {
            alertId = alertId,
            kind = kind,
            severity = severity,
            accountId = accountId,
            message = message,
            details = details,
            timestamp = DateTimeOffset.FromUnixTimeMilliseconds(nowMs).UtcDateTime,
        });
}
