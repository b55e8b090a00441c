using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// Every log message of the engine assembly, in one table with stable event ids in the engine's range 1000-1999
/// (1000-1099 the runtime, 1100-1199 topic provisioning). Other assemblies have disjoint ranges (ARCHITECTURE.md,
/// "Event ids"); a test checks every id is unique and inside its assembly's range.
/// </summary>
internal static partial class EngineLog
{
    [LoggerMessage(1000, LogLevel.Information, "Application {ApplicationId} state {From} -> {To}")]
    public static partial void StateChanged(this ILogger logger, string applicationId, StreamsState from, StreamsState to);

    [LoggerMessage(1001, LogLevel.Information, "Thread {Thread}: assigned [{Partitions}]")]
    public static partial void Assigned(this ILogger logger, string thread, string partitions);

    [LoggerMessage(1002, LogLevel.Information, "Thread {Thread}: revoked [{Partitions}]")]
    public static partial void Revoked(this ILogger logger, string thread, string partitions);

    [LoggerMessage(1003, LogLevel.Warning, "Thread {Thread}: lost [{Partitions}] (session expired or fenced); uncommitted work is dropped")]
    public static partial void Lost(this ILogger logger, string thread, string partitions);

    [LoggerMessage(1110, LogLevel.Information, "Thread {Thread}: [{Partitions}] wait, paused, until the other input partitions of their tasks are assigned")]
    public static partial void PartitionsHeld(this ILogger logger, string thread, string partitions);

    [LoggerMessage(1004, LogLevel.Information, "Task {Task} restored: {Records} changelog records, commit #{Sequence}, resuming at {Positions}")]
    public static partial void Restored(this ILogger logger, string task, long records, long sequence, string positions);

    [LoggerMessage(1005, LogLevel.Warning, "Thread {Thread}: transaction aborted ({Reason}); {Tasks} tasks rolled back to their last commit")]
    public static partial void Aborted(this ILogger logger, string thread, string reason, int tasks);

    [LoggerMessage(1006, LogLevel.Warning, "Thread {Thread}: producer fenced or fatal ({Reason}); creating a new one")]
    public static partial void ProducerRecreated(this ILogger logger, string thread, string reason);

    [LoggerMessage(1007, LogLevel.Error, "Task {Task} stopped: {Reason}")]
    public static partial void TaskStopped(this ILogger logger, string task, string reason, Exception? exception);

    [LoggerMessage(1008, LogLevel.Error, "Input {Topic} [{Partition}] position fell off the log; the task stops (no reset policy declared)")]
    public static partial void InputOutOfRange(this ILogger logger, string topic, int partition);

    [LoggerMessage(1009, LogLevel.Warning, "Input {Topic} [{Partition}] position fell off the log; resetting to {Policy} as the source declares")]
    public static partial void InputReset(this ILogger logger, string topic, int partition, string policy);

    [LoggerMessage(1010, LogLevel.Error, "Thread {Thread} failed")]
    public static partial void ThreadFailed(this ILogger logger, string thread, Exception exception);

    [LoggerMessage(1011, LogLevel.Information, "Global store {Store} restored to the end of {Topic}: {Records} records")]
    public static partial void GlobalRestored(this ILogger logger, string store, string topic, long records);

    /// <summary>A librdkafka log line, at the level librdkafka gave it (see <see cref="Kafka.ClientLogLevels"/>).</summary>
    [LoggerMessage(EventId = 1012, Message = "Kafka client {Client}: {Message}")]
    public static partial void ClientLog(this ILogger logger, LogLevel level, string client, string message);

    [LoggerMessage(1013, LogLevel.Warning, "Task {Task} stalled: its input has lag {Lag} and its committed position has not advanced for {Seconds:0.0} s: {Detail}")]
    public static partial void TaskStalled(this ILogger logger, string task, long lag, double seconds, string? detail);

    [LoggerMessage(1014, LogLevel.Information, "Task {Task} makes progress again")]
    public static partial void TaskRecovered(this ILogger logger, string task);

    [LoggerMessage(1016, LogLevel.Warning, "Thread {Thread}: {Tasks} tasks closed and restored from their changelogs ({Reason})")]
    public static partial void TasksReinitialized(this ILogger logger, string thread, int tasks, string reason);

    [LoggerMessage(1017, LogLevel.Warning, "Task {Task} parked after attempt {Attempt} failed; retrying in {Seconds:0.0} s: {Reason}")]
    public static partial void TaskParked(this ILogger logger, string task, int attempt, double seconds, string reason);

    [LoggerMessage(1018, LogLevel.Warning, "Thread {Thread} fenced ({Reason}): its {Tasks} tasks moved; closing them and rejoining the group")]
    public static partial void Fenced(this ILogger logger, string thread, string reason, int tasks);

    [LoggerMessage(1019, LogLevel.Information, "Task {Task} kept across the rebalance: resumed at commit #{Sequence} without a restore")]
    public static partial void TaskResumed(this ILogger logger, string task, long sequence);

    [LoggerMessage(1020, LogLevel.Information, "Task {Task} came back but its state moved on ({Reason}); restoring it from the log")]
    public static partial void TaskNotResumed(this ILogger logger, string task, string reason);

    [LoggerMessage(1021, LogLevel.Warning, "Thread {Thread}: the process was frozen for half a session timeout and the group does not confirm its membership ({Reason}); nothing is committed")]
    public static partial void MembershipInDoubt(this ILogger logger, string thread, string reason);

    [LoggerMessage(1015, LogLevel.Warning, "Thread {Thread} stuck in '{Activity}' for {Seconds:0.0} s")]
    public static partial void ThreadStuck(this ILogger logger, string thread, string activity, double seconds);

    /// <summary>An error a client reports through its error handler, fatal or not (a fatal one also fails the call
    /// that meets it); see <see cref="Kafka.ClientLogLevels.ForError"/>.</summary>
    [LoggerMessage(EventId = 1022, Message = "Kafka client {Client} error: {Error}")]
    public static partial void ClientError(this ILogger logger, LogLevel level, string client, string error);

    // The consumer's own position commit for tasks without state is an optimisation: the transaction commits the same
    // offsets for stateful tasks, and a stateless task re-reads at most what it processed since its last commit.
    [LoggerMessage(1023, LogLevel.Warning, "Thread {Thread}: offset commit of stateless tasks failed ({Reason}); they resume from their previous commit")]
    public static partial void StatelessCommitFailed(this ILogger logger, string thread, string reason);

    [LoggerMessage(1024, LogLevel.Information, "Thread {Thread}: ignored '{Reason}' on {Partition}: its task is not running, so its fetch position is not in use")]
    public static partial void FetchErrorIgnored(this ILogger logger, string thread, string reason, string partition);

    [LoggerMessage(1025, LogLevel.Warning, "Announcement of {Member} on {Topic} failed, will retry: {Reason}")]
    public static partial void AnnouncementRetry(this ILogger logger, string topic, string member, string reason);

    // Right after the instances topic is created it may not be readable for a moment; the next poll retries.
    [LoggerMessage(1026, LogLevel.Debug, "Reading the instances topic {Topic} failed, next poll retries: {Reason}")]
    public static partial void InstancesReadFailed(this ILogger logger, string topic, string reason);

    [LoggerMessage(1080, LogLevel.Information, "Thread {Thread}: standby task {Task} opened")]
    public static partial void StandbyOpened(this ILogger logger, string thread, string task);

    [LoggerMessage(1081, LogLevel.Information, "Thread {Thread}: standby task {Task} closed ({Reason}) after applying {Applied} changelog records")]
    public static partial void StandbyClosed(this ILogger logger, string thread, string task, string reason, long applied);

    [LoggerMessage(1082, LogLevel.Warning, "Thread {Thread}: standby task {Task} stopped, tried again in {Seconds} s: {Reason}")]
    public static partial void StandbyFailed(this ILogger logger, string thread, string task, double seconds, string reason);

    [LoggerMessage(1083, LogLevel.Debug, "Thread {Thread}: reading the standby changelogs' offsets failed, the next round retries: {Reason}")]
    public static partial void StandbyOffsetsFailed(this ILogger logger, string thread, string reason);

    [LoggerMessage(1085, LogLevel.Warning, "Catching up tasks {Tasks} before their restore failed ({Reason}); each restores from where its stores are")]
    public static partial void WarmUpFailed(this ILogger logger, string tasks, string reason);

    /// <summary>A catch-up round of the tasks waiting for their restore; debug level, for restore throughput work.</summary>
    [LoggerMessage(1086, LogLevel.Debug, "Catch-up round: {Tasks} tasks, {Partitions} changelog partitions to read, {SinceLastMs:0} ms since the last round ended; " +
        "offsets {ExtentsMs:0.0} ms, read {ReadMs:0.0} ms ({FirstAnswerMs:0.0} ms to the first answer, {Records} records, {EmptyPolls} empty polls), apply {ApplyMs:0.0} ms, " +
        "{Applied} records applied, lag left {Lag}")]
    public static partial void CatchUpRound(this ILogger logger, int tasks, int partitions, double sinceLastMs, double extentsMs, double readMs, double firstAnswerMs,
        long records, long emptyPolls, double applyMs, long applied, long lag);

    /// <summary>A task's restore proper (after its catch-up); debug level.</summary>
    [LoggerMessage(1087, LogLevel.Debug, "Task {Task}: restore proper {Ms:0.0} ms, {Records} records applied by it")]
    public static partial void RestoreProper(this ILogger logger, string task, double ms, long records);

    [LoggerMessage(1084, LogLevel.Warning, "NumStandbyReplicas is {Replicas} but ApplicationServer is not set: standby placement needs the instance directory, so no standby tasks are kept")]
    public static partial void StandbysNeedApplicationServer(this ILogger logger, int replicas);

    [LoggerMessage(1090, LogLevel.Warning, "Task {Task}: the state restore listener threw for store {Store}; ignored, the restore goes on")]
    public static partial void RestoreListenerFailed(this ILogger logger, string task, string store, Exception exception);

    /// <summary>Where a commit's time went (see <see cref="Processing.CommitBreakdown"/>); debug level, for latency work.</summary>
    [LoggerMessage(1095, LogLevel.Debug, "Thread {Thread}: commit of {Tasks} tasks, {ChangelogRecords} changelog records, {Markers} markers: changelog {ChangelogMs:0.00} ms, " +
        "secondary markers {SecondaryMarkersMs:0.00} ms, first flush {FirstFlushMs:0.00} ms, primary markers {PrimaryMarkersMs:0.00} ms, second flush {SecondFlushMs:0.00} ms, " +
        "Kafka commit {KafkaCommitMs:0.00} ms (on the call thread {CommitCallMs:0.00} ms), local write {LocalWriteMs:0.00} ms")]
    public static partial void CommitSteps(this ILogger logger, string thread, int tasks, int changelogRecords, int markers, double changelogMs, double secondaryMarkersMs,
        double firstFlushMs, double primaryMarkersMs, double secondFlushMs, double kafkaCommitMs, double commitCallMs, double localWriteMs);

    [LoggerMessage(1100, LogLevel.Information, "Created topic {Topic} with {Partitions} partitions, replication {ReplicationFactor}")]
    public static partial void TopicCreated(this ILogger logger, string topic, int partitions, short replicationFactor);

    [LoggerMessage(1101, LogLevel.Debug, "Topic {Topic} exists with the expected {Partitions} partitions")]
    public static partial void TopicVerified(this ILogger logger, string topic, int partitions);

    [LoggerMessage(1102, LogLevel.Information, "Topic {Topic} was created concurrently; verifying it")]
    public static partial void TopicCreatedConcurrently(this ILogger logger, string topic);

    [LoggerMessage(1050, LogLevel.Information, "State directory {Directory}: {Count} directories in the per-store layout of an earlier version were deleted ({Names}); their tasks restore from their changelogs")]
    public static partial void PerStoreLayoutDiscarded(this ILogger logger, string directory, int count, string names);
}
