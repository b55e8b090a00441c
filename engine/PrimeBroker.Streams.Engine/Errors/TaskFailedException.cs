using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>A task stopped on an error its handler chose not to skip.</summary>
public sealed class TaskFailedException : Exception
{
    public TaskFailedException(TaskId taskId, string what, Exception inner)
        : base($"Task {taskId} failed: {what}: {inner.Message}", inner) => TaskId = taskId;

    public TaskFailedException(TaskId taskId, string message) : base($"Task {taskId} failed: {message}") => TaskId = taskId;

    public TaskId TaskId { get; }
}
