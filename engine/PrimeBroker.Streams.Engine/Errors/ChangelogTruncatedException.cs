namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>
/// A changelog lost records a restore needs (retention, DeleteRecords, or the embedded cluster's 5 MiB cap). The task
/// stops instead of building partial state.
/// </summary>
/// <remarks>Raised while a task is restored, when its partitions are assigned: the task does not start, its partitions
/// stay assigned but paused, and the error is listed in <see cref="StreamsApplication.Errors"/>. The test driver throws
/// it from its constructor or from <c>TopologyTestDriver.SimulateCrash</c>.</remarks>
public sealed class ChangelogTruncatedException : Exception
{
    /// <summary>Store <paramref name="store"/> needs changelog records from <paramref name="neededOffset"/> but the log
    /// starts at <paramref name="logStartOffset"/>.</summary>
    /// <param name="store">The store being restored.</param>
    /// <param name="topic">Its changelog topic.</param>
    /// <param name="partition">The changelog partition (the task's partition).</param>
    /// <param name="neededOffset">The first offset the restore must read.</param>
    /// <param name="logStartOffset">The first offset the log still holds; greater than
    /// <paramref name="neededOffset"/>.</param>
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

    /// <summary>The store being restored.</summary>
    public string Store { get; }

    /// <summary>The changelog topic.</summary>
    public string Topic { get; }

    /// <summary>The changelog partition.</summary>
    public int Partition { get; }

    /// <summary>The first offset the restore must read.</summary>
    public long NeededOffset { get; }

    /// <summary>The first offset the log still holds.</summary>
    public long LogStartOffset { get; }
}
