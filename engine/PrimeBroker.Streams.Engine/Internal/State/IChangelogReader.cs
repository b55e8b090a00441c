namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>One changelog record as a restore sees it.</summary>
internal readonly record struct ChangelogRecord(long Offset, byte[] Key, byte[]? Value, bool IsMarker);

/// <summary>A changelog partition to read from <paramref name="From"/> (inclusive) to <paramref name="To"/> (exclusive).</summary>
internal readonly record struct ChangelogRange(string Topic, int Partition, long From, long To);

/// <summary>What <see cref="IChangelogReader.ReadMany"/> read of one range: the records in offset order, and
/// <paramref name="ReadTo"/>, the offset up to which the range was read (its end when <paramref name="Complete"/>; else
/// the offset after the last record read, or the range's start when none was).</summary>
internal sealed record ChangelogBatch(IReadOnlyList<ChangelogRecord> Records, long ReadTo, bool Complete);

/// <summary>Reads a changelog partition for a restore: a read_committed consumer at run time, memory in the test driver.</summary>
/// <remarks>Used by one restore at a time (the stream thread or the driver); not thread-safe.</remarks>
internal interface IChangelogReader
{
    /// <summary>
    /// Whether <see cref="Read"/> returns records of committed transactions only, so a restore may apply them in bounded
    /// chunks before it reaches their commit marker. True for read_committed on an Apache Kafka cluster; false where
    /// aborted and open transactions' records are shown anyway (librdkafka's mock cluster), where a restore must buffer
    /// each transaction until its marker proves it complete.
    /// </summary>
    bool CommittedOnly { get; }

    /// <summary>The first offset still in the log (after retention, DeleteRecords, or the embedded cluster's size cap).</summary>
    long LogStartOffset(string topic, int partition);

    /// <summary>The read_uncommitted end: the offset after the last record written (the high watermark), committed or not.</summary>
    long LogEndOffset(string topic, int partition);

    /// <summary>
    /// Waits until the read_committed end (the last stable offset: every transaction with a record below it has its
    /// commit or abort marker in the log) reaches <paramref name="offset"/>, for at most the reader's stable-offset
    /// timeout (the transaction timeout: a transaction left open longer is aborted by the broker). Returns the last
    /// stable offset seen, which is below <paramref name="offset"/> only when the wait timed out.
    /// </summary>
    long WaitForStableOffset(string topic, int partition, long offset);

    /// <summary>How long <see cref="WaitForStableOffset"/> waits at most, for error messages.</summary>
    TimeSpan StableOffsetTimeout { get; }

    /// <summary>
    /// Reads the log start, read_uncommitted end and last stable offset of all <paramref name="partitions"/> at once (one
    /// request each for all of them, the last stable offset read after the end) and answers the next
    /// <see cref="LogStartOffset"/> and <see cref="LogEndOffset"/> of each partition from that, once, and the next
    /// <see cref="WaitForStableOffset"/> when the offset read reaches the one asked for, until
    /// <see cref="ForgetPrefetched"/>. A reader that asks per partition anyway ignores it.
    /// </summary>
    void Prefetch(IReadOnlyCollection<(string Topic, int Partition)> partitions)
    {
    }

    /// <summary>Drops what <see cref="Prefetch"/> read and was not asked for, so later answers are read anew.</summary>
    void ForgetPrefetched()
    {
    }

    /// <summary>
    /// For standby tasks: the log start and the current last stable offset (the read_committed end: every transaction
    /// with a record below it has its markers in the log) of every partition of <paramref name="partitions"/>, without
    /// waiting for open transactions. A reader that can ask for all partitions at once does so (one request each).
    /// </summary>
    IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> CommittedExtents(IReadOnlyCollection<(string Topic, int Partition)> partitions) =>
        // Waiting for offset 0 returns at once with the last stable offset seen.
        partitions.Distinct().ToDictionary(p => p, p => (LogStartOffset(p.Topic, p.Partition), WaitForStableOffset(p.Topic, p.Partition, 0)));

    /// <summary>
    /// Reads several changelog ranges together (a standby round): on a Kafka cluster in one assignment, so every
    /// partition is fetched at once instead of one after another. A range stops early at the first commit marker after
    /// <paramref name="maxRecordsPerRange"/> records once it holds a complete transaction to apply (one marker where
    /// <see cref="CommittedOnly"/>, else two: a restore holds the last one back), and every range stops where it is
    /// when <paramref name="budget"/> has passed once something was read (a round always makes progress); an early stop
    /// is not <see cref="ChangelogBatch.Complete"/>.
    /// </summary>
    IReadOnlyDictionary<(string Topic, int Partition), ChangelogBatch> ReadMany(IReadOnlyCollection<ChangelogRange> ranges, long maxRecordsPerRange, TimeSpan budget)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = new Dictionary<(string, int), ChangelogBatch>();
        foreach (var range in ranges)
        {
            if (started.Elapsed >= budget && result.Count > 0)
            {
                result[(range.Topic, range.Partition)] = new ChangelogBatch([], range.From, range.From >= range.To);
                continue;
            }

            var limit = new ChangelogBatchLimit(maxRecordsPerRange, CommittedOnly);
            var records = new List<ChangelogRecord>();
            var complete = true;
            foreach (var record in Read(range.Topic, range.Partition, range.From, range.To))
            {
                records.Add(record);
                if (limit.Reached(record))
                {
                    complete = record.Offset + 1 >= range.To;
                    break;
                }
            }

            result[(range.Topic, range.Partition)] = new ChangelogBatch(records, complete ? range.To : records[^1].Offset + 1, complete);
        }

        return result;
    }

    /// <summary>Ends what <see cref="ReadMany"/> keeps between reads (a Kafka reader leaves its partitions assigned, so
    /// they are fetched while the thread does other work, see <c>KafkaChangelogReader.ReadMany</c>). Called when no
    /// read follows soon (no task waits for its restore; after a standby round). Nothing to do for other readers.</summary>
    void ReleaseAssignment()
    {
    }

    /// <summary>The records from <paramref name="fromOffset"/> (inclusive) to <paramref name="toOffset"/> (exclusive) that
    /// a reader of this isolation sees, in offset order; lazily, so a caller can hold a bounded part of them.</summary>
    IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset, long toOffset);
}

/// <summary>The early stop of one range of <see cref="IChangelogReader.ReadMany"/>: at the first commit marker after
/// the record limit, once the range holds a transaction a standby can apply.</summary>
internal struct ChangelogBatchLimit(long maxRecords, bool committedOnly)
{
    private long _records;
    private int _markers;

    /// <summary>Counts <paramref name="record"/>; true when the range should stop after it.</summary>
    public bool Reached(ChangelogRecord record)
    {
        if (!record.IsMarker)
        {
            _records++;
            return false;
        }

        _markers++;
        return _records >= maxRecords && _markers >= (committedOnly ? 1 : 2);
    }
}
