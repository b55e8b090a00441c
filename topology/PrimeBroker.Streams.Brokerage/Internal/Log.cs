using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>Every log message of the prime-broker topology, with stable event ids (1100-1199).</summary>
internal static partial class Log
{
    [LoggerMessage(1100, LogLevel.Warning, "Dead-lettered {Topic} [{Partition}] @{Offset}: {Reason}: {Message}")]
    public static partial void DeadLettered(ILogger logger, DeadLetterReason reason, string topic, int partition, long offset, string message);

    [LoggerMessage(1101, LogLevel.Warning, "Schema registry unavailable decoding {Topic} [{Partition}] @{Offset}; attempt {Attempt} failed, retrying in {Delay}")]
    public static partial void RegistryRetry(ILogger logger, string topic, int partition, long offset, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(1102, LogLevel.Critical, "Schema registry unavailable through {Attempts} attempts for {Topic} [{Partition}] @{Offset}; the record is dead-lettered")]
    public static partial void RegistryRetriesExhausted(ILogger logger, int attempts, string topic, int partition, long offset);

    [LoggerMessage(1103, LogLevel.Debug, "Account {AccountId}: skipped sequence {Sequence} (expected {Expected}): duplicate or stale resend")]
    public static partial void DuplicateSkipped(ILogger logger, string accountId, long sequence, long expected);

    [LoggerMessage(1104, LogLevel.Information, "Account {AccountId}: holding sequence {Sequence} until {Expected} arrives")]
    public static partial void Held(ILogger logger, string accountId, long sequence, long expected);

    [LoggerMessage(1105, LogLevel.Error, "Account {AccountId}: sequence gap {From}..{To} open since {OpenSince:o} ({Held} events held)")]
    public static partial void GapOpen(ILogger logger, string accountId, long from, long to, DateTimeOffset openSince, int held);

    [LoggerMessage(1106, LogLevel.Warning, "Account {AccountId}: operator {RequestedBy} resolved gap {From}..{To} ({Reason}); {Released} held events released")]
    public static partial void GapResolved(ILogger logger, string accountId, string requestedBy, long from, long to, string reason, int released);

    [LoggerMessage(1107, LogLevel.Warning, "Account {AccountId}: gap resolution {CommandId} refused: {Why}")]
    public static partial void GapResolutionRefused(ILogger logger, string accountId, string commandId, string why);

    [LoggerMessage(1111, LogLevel.Warning, "Account {AccountId}: gap resolution {CommandId} was already executed at {ExecutedAtMs} ms; the repeat is ignored")]
    public static partial void GapResolutionRepeated(ILogger logger, string accountId, string commandId, long executedAtMs);

    [LoggerMessage(1108, LogLevel.Debug, "Account {AccountId}: idempotency key {Key} already applied; skipped sequence {Sequence}")]
    public static partial void IdempotencySkipped(ILogger logger, string accountId, string key, long sequence);

    [LoggerMessage(1109, LogLevel.Critical, "Task {Task} stops: invariant broken (account {AccountId}): {Message}")]
    public static partial void CriticalFailure(ILogger logger, string task, string? accountId, string message, Exception exception);

    [LoggerMessage(1110, LogLevel.Error, "Account {AccountId}: {Held} events held; the limit is reached and sequence {Sequence} is dead-lettered")]
    public static partial void HeldLimitReached(ILogger logger, string accountId, int held, long sequence);
}
