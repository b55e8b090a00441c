namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// Serves <see cref="IChangelogReader.Read"/> from what <see cref="IChangelogReader.ReadMany"/> already read, so a
/// standby round reads all its changelog partitions in one go and then applies each task's part with the restore's own
/// code (<see cref="TaskRestorer.CatchUp"/>). Offsets, log ends and stable-offset waits are not buffered and are asked of
/// the reader behind.
/// </summary>
internal sealed class BufferedChangelogReader(IChangelogReader inner, IReadOnlyDictionary<(string Topic, int Partition), ChangelogBatch> batches) : IChangelogReader
{
    public bool CommittedOnly => inner.CommittedOnly;

    public TimeSpan StableOffsetTimeout => inner.StableOffsetTimeout;

    public long LogStartOffset(string topic, int partition) => inner.LogStartOffset(topic, partition);

    public long LogEndOffset(string topic, int partition) => inner.LogEndOffset(topic, partition);

    public long WaitForStableOffset(string topic, int partition, long offset) => inner.WaitForStableOffset(topic, partition, offset);

    /// <summary>The buffered records of the range within [<paramref name="fromOffset"/>, <paramref name="toOffset"/>).</summary>
    /// <exception cref="InvalidOperationException">Asked for a partition or offsets the batch does not hold (a caller
    /// must read only up to <see cref="ChangelogBatch.ReadTo"/>).</exception>
    public IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset, long toOffset)
    {
        if (fromOffset >= toOffset)
        {
            return [];
        }

        if (!batches.TryGetValue((topic, partition), out var batch) || toOffset > batch.ReadTo)
        {
            throw new InvalidOperationException($"{topic} [{partition}] was not read up to offset {toOffset} in this round.");
        }

        return batch.Records.Where(r => r.Offset >= fromOffset && r.Offset < toOffset);
    }
}
