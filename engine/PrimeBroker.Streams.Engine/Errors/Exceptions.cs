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

/// <summary>A source partition's position is no longer in the log: its records were deleted before being processed.</summary>
public sealed class InputOffsetOutOfRangeException : Exception
{
    public InputOffsetOutOfRangeException(string topic, int partition, long position)
        : base($"Input {topic} [{partition}] at offset {position} is out of range: records were deleted before this application " +
               "processed them. The task stops instead of skipping input; declare a reset policy on the source only where skipping is acceptable.")
    {
        Topic = topic;
        Partition = partition;
        Position = position;
    }

    public string Topic { get; }

    public int Partition { get; }

    public long Position { get; }
}

/// <summary>
/// A changelog lost records a restore needs (retention, DeleteRecords, or the embedded cluster's 5 MiB cap). The task
/// stops instead of building partial state.
/// </summary>
public sealed class ChangelogTruncatedException : Exception
{
    public ChangelogTruncatedException(string store, string topic, int partition, long neededOffset, long logStartOffset)
        : base($"Cannot restore store '{store}' from changelog {topic} [{partition}]: the restore needs offset {neededOffset} " +
               $"but the log starts at {logStartOffset}; records {neededOffset}..{logStartOffset - 1} are gone. The store would be " +
               "incomplete, so the task stops. On a real cluster the changelog must be compacted, never deleted by retention.")
    {
        Store = store;
        Topic = topic;
        Partition = partition;
        NeededOffset = neededOffset;
        LogStartOffset = logStartOffset;
    }

    public string Store { get; }

    public string Topic { get; }

    public int Partition { get; }

    public long NeededOffset { get; }

    public long LogStartOffset { get; }
}

/// <summary>
/// An interactive query cannot be answered now: the instance is rebalancing or restoring, the task that held the data
/// closed or moved mid-read, or no instance has claimed the key's partition yet. The answer would be stale or empty, so
/// the query fails instead. Transient: retry after a short delay (an HTTP host maps it to 503 with a Retry-After
/// header), asking <see cref="StreamsApplication.QueryMetadataForKey{TKey}"/> again for the owner. The counterpart of
/// Kafka Streams' <c>InvalidStateStoreException</c>.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>Creates the exception for store <paramref name="storeName"/>, with why it is unavailable.</summary>
    public StoreUnavailableException(string storeName, string reason, Exception? inner = null)
        : base($"Store '{storeName}' is not available for queries now: {reason}. Retry shortly.", inner) => StoreName = storeName;

    /// <summary>The store that was queried.</summary>
    public string StoreName { get; }
}
