using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>A task stopped on an error its handler chose not to skip, or on an exception thrown by a punctuator.</summary>
/// <remarks>In a <see cref="StreamsApplication"/> the thread aborts the open transaction, rolls its tasks back to their
/// last commit and pauses the failed task's partitions; the error is logged and listed in
/// <see cref="StreamsApplication.Errors"/>, and the application's state becomes <see cref="StreamsState.Error"/>. The
/// test driver throws it from the call that processed the record.</remarks>
public sealed class TaskFailedException : Exception
{
    /// <summary>A task failed on <paramref name="inner"/>.</summary>
    /// <param name="taskId">The task that stopped.</param>
    /// <param name="what">What the task was doing, for the message (e.g. "processing orders-0@12 failed").</param>
    /// <param name="inner">The error, kept as <see cref="Exception.InnerException"/>; must not be null.</param>
    public TaskFailedException(TaskId taskId, string what, Exception inner)
        : base($"Task {taskId} failed: {what}: {inner.Message}", inner) => TaskId = taskId;

    /// <summary>A task failed for a reason with no exception behind it.</summary>
    /// <param name="taskId">The task that stopped.</param>
    /// <param name="message">Why, for the message.</param>
    public TaskFailedException(TaskId taskId, string message) : base($"Task {taskId} failed: {message}") => TaskId = taskId;

    /// <summary>The task that stopped.</summary>
    public TaskId TaskId { get; }
}
