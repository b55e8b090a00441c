using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>The engine's log messages, in one place with stable event ids.</summary>
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

    [LoggerMessage(1012, LogLevel.Debug, "Kafka client {Client}: {Message}")]
    public static partial void ClientLog(this ILogger logger, string client, string message);

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
}
