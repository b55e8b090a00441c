using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>Every log message of the domain assembly, in one table with stable event ids in its range 2000-2999
/// (2100-2199 the topology, 2400-2499 the trade publisher); other assemblies have disjoint ranges (ARCHITECTURE.md,
/// "Event ids").</summary>
internal static partial class Log
{
    [LoggerMessage(2100, LogLevel.Warning, "Dead-lettered {Topic} [{Partition}] @{Offset}: {Reason}: {Message}")]
    public static partial void DeadLettered(ILogger logger, DeadLetterReason reason, string topic, int partition, long offset, string message);

    [LoggerMessage(2101, LogLevel.Warning, "Schema registry unavailable decoding {Topic} [{Partition}] @{Offset}; attempt {Attempt} failed, retrying in {Delay}")]
    public static partial void RegistryRetry(ILogger logger, string topic, int partition, long offset, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(2102, LogLevel.Critical, "Schema registry unavailable through {Attempts} attempts for {Topic} [{Partition}] @{Offset}; the record is dead-lettered")]
    public static partial void RegistryRetriesExhausted(ILogger logger, int attempts, string topic, int partition, long offset);

    [LoggerMessage(2103, LogLevel.Debug, "Account {AccountId}: skipped sequence {Sequence} (expected {Expected}): duplicate or stale resend")]
    public static partial void DuplicateSkipped(ILogger logger, string accountId, long sequence, long expected);

    [LoggerMessage(2104, LogLevel.Information, "Account {AccountId}: holding sequence {Sequence} until {Expected} arrives")]
    public static partial void Held(ILogger logger, string accountId, long sequence, long expected);

    [LoggerMessage(2105, LogLevel.Error, "Account {AccountId}: sequence gap {From}..{To} open since {OpenSince:o} ({Held} events held)")]
    public static partial void GapOpen(ILogger logger, string accountId, long from, long to, DateTimeOffset openSince, int held);

    [LoggerMessage(2106, LogLevel.Warning, "Account {AccountId}: operator {RequestedBy} resolved gap {From}..{To} ({Reason}); {Released} held events released")]
    public static partial void GapResolved(ILogger logger, string accountId, string requestedBy, long from, long to, string reason, int released);

    [LoggerMessage(2107, LogLevel.Warning, "Account {AccountId}: gap resolution {CommandId} refused: {Why}")]
    public static partial void GapResolutionRefused(ILogger logger, string accountId, string commandId, string why);

    [LoggerMessage(2111, LogLevel.Warning, "Account {AccountId}: gap resolution {CommandId} was already executed at {ExecutedAtMs} ms; the repeat is ignored")]
    public static partial void GapResolutionRepeated(ILogger logger, string accountId, string commandId, long executedAtMs);

    [LoggerMessage(2108, LogLevel.Debug, "Account {AccountId}: idempotency key {Key} already applied; skipped sequence {Sequence}")]
    public static partial void IdempotencySkipped(ILogger logger, string accountId, string key, long sequence);

    [LoggerMessage(2109, LogLevel.Critical, "Task {Task} stops: invariant broken (account {AccountId}): {Message}")]
    public static partial void CriticalFailure(ILogger logger, string task, string? accountId, string message, Exception exception);

    [LoggerMessage(2110, LogLevel.Error, "Account {AccountId}: {Held} events held; the limit is reached and sequence {Sequence} is dead-lettered")]
    public static partial void HeldLimitReached(ILogger logger, string accountId, int held, long sequence);

    [LoggerMessage(2112, LogLevel.Error, "Account {AccountId}: conflicting duplicate ({Reason}): {Message}")]
    public static partial void ConflictingDuplicate(ILogger logger, string accountId, DeadLetterReason reason, string message);

    [LoggerMessage(2113, LogLevel.Warning, "Account {AccountId}: the re-drive of {RedriveOf}, dead-lettered undecoded, arrived as sequence {Sequence}")]
    public static partial void RedriveArrived(ILogger logger, string accountId, string redriveOf, long sequence);

    [LoggerMessage(2140, LogLevel.Information, "Account {AccountId}: settlement of trade {TradeId} {From} -> {To} (confirmation {CommandId} by {RequestedBy})")]
    public static partial void SettlementConfirmed(ILogger logger, string accountId, string tradeId, Contracts.SettlementStatus from, Contracts.SettlementStatus to, string commandId, string requestedBy);

    [LoggerMessage(2141, LogLevel.Warning, "Account {AccountId}: settlement confirmation {CommandId} of trade {TradeId} was already applied; the repeat is ignored")]
    public static partial void SettlementConfirmationRepeated(ILogger logger, string accountId, string tradeId, string commandId);

    [LoggerMessage(2400, LogLevel.Information, "Trade publisher read {Topic} back ({Partitions} partitions): {Records} records, {Accounts} accounts known, {Skipped} records without a sequence")]
    public static partial void PublisherRecovered(ILogger logger, string topic, int partitions, long records, int accounts, long skipped);

    [LoggerMessage(2410, LogLevel.Information, "Trade publisher read the applied sequences {Topic} back ({Partitions} partitions): {Records} accounts' next numbers, {Raised} counters raised above the trade topic's")]
    public static partial void PublisherReadAppliedSequences(ILogger logger, string topic, int partitions, long records, long raised);

    /// <summary>A librdkafka log line of the trade publisher's clients, at the level librdkafka gave it
    /// (<c>PublisherClientLogs</c>).</summary>
    [LoggerMessage(EventId = 2420, Message = "Kafka client {Client} {Facility}: {Message}")]
    public static partial void ClientLog(ILogger logger, LogLevel level, string client, string facility, string message);

    /// <summary>An error a client of the trade publisher reported through its error handler.</summary>
    [LoggerMessage(EventId = 2421, Message = "Kafka client {Client} error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, LogLevel level, string client, string code, string reason);
}
