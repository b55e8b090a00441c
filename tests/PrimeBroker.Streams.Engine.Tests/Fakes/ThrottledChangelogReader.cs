using PrimeBroker.Streams.Engine.Internal.State;

namespace PrimeBroker.Streams.Engine.Tests.Fakes;

/// <summary>
/// A changelog reader whose reads of many partitions together (<see cref="IChangelogReader.ReadMany"/>, the catch-up
/// and standby rounds) return at most <see cref="RecordsPerRange"/> records of each range, as a round on the embedded
/// cluster does when its time runs out after a fetch or two (that cluster returns one record batch per partition per
/// fetch, and a transaction's records, its commit marker and its control record come in separate batches). Everything
/// else, single-partition reads included (the restore proper), goes to the reader behind unchanged.
/// </summary>
internal sealed class ThrottledChangelogReader(IChangelogReader inner) : IChangelogReader
{
    /// <summary>Most records one range returns per <see cref="ReadMany"/>; 0 returns none (a read that gets nothing).</summary>
    public int RecordsPerRange { get; set; } = 1;

    /// <summary>Calls of <see cref="ReadMany"/>.</summary>
    public int ReadManyCalls { get; private set; }

    public bool CommittedOnly => inner.CommittedOnly;

    public TimeSpan StableOffsetTimeout => inner.StableOffsetTimeout;

    public long LogStartOffset(string topic, int partition) => inner.LogStartOffset(topic, partition);

    public long LogEndOffset(string topic, int partition) => inner.LogEndOffset(topic, partition);

    public long WaitForStableOffset(string topic, int partition, long offset) => inner.WaitForStableOffset(topic, partition, offset);

    public void Prefetch(IReadOnlyCollection<(string Topic, int Partition)> partitions) => inner.Prefetch(partitions);

    public void ForgetPrefetched() => inner.ForgetPrefetched();

    public IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> CommittedExtents(IReadOnlyCollection<(string Topic, int Partition)> partitions) =>
        inner.CommittedExtents(partitions);

    public IReadOnlyDictionary<(string Topic, int Partition), ChangelogBatch> ReadMany(IReadOnlyCollection<ChangelogRange> ranges, long maxRecordsPerRange, TimeSpan budget)
    {
        ReadManyCalls++;
        var result = new Dictionary<(string, int), ChangelogBatch>();
        foreach (var range in ranges)
        {
            if (RecordsPerRange == 0)
            {
                result[(range.Topic, range.Partition)] = new ChangelogBatch([], range.From, range.From >= range.To);
                continue;
            }

            // One more than allowed tells a range cut short from one that ended.
            var records = inner.Read(range.Topic, range.Partition, range.From, range.To).Take(RecordsPerRange + 1).ToList();
            result[(range.Topic, range.Partition)] = records.Count <= RecordsPerRange
                ? new ChangelogBatch(records, range.To, Complete: true)
                : new ChangelogBatch(records.Take(RecordsPerRange).ToList(), records[RecordsPerRange - 1].Offset + 1, Complete: false);
        }

        return result;
    }

    public IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset, long toOffset) => inner.Read(topic, partition, fromOffset, toOffset);
}
