namespace PrimeBroker.Streams.Engine.Errors;

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
