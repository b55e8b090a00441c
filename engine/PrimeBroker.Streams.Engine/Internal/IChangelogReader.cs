namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>One changelog record as a restore sees it.</summary>
internal readonly record struct ChangelogRecord(long Offset, byte[] Key, byte[]? Value, bool IsMarker);

/// <summary>Reads a changelog partition for a restore: a read_committed consumer at run time, memory in the test driver.</summary>
internal interface IChangelogReader
{
    /// <summary>The first offset still in the log (after retention, DeleteRecords, or the embedded cluster's size cap).</summary>
    long LogStartOffset(string topic, int partition);

    /// <summary>The offset after the last record in the log.</summary>
    long EndOffset(string topic, int partition);

    /// <summary>Every record from <paramref name="fromOffset"/> to the end of the log as of the call, in order.</summary>
    IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset);
}
