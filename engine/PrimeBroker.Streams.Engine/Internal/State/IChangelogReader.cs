namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>One changelog record as a restore sees it.</summary>
internal readonly record struct ChangelogRecord(long Offset, byte[] Key, byte[]? Value, bool IsMarker);

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
    /// Reads the log start and read_uncommitted end of all <paramref name="partitions"/> at once (one request each for
    /// all of them) and answers the next <see cref="LogStartOffset"/> and <see cref="LogEndOffset"/> of each partition
    /// from that, once, until <see cref="ForgetPrefetched"/>. A reader that asks per partition anyway ignores it.
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

    /// <summary>The records from <paramref name="fromOffset"/> (inclusive) to <paramref name="toOffset"/> (exclusive) that
    /// a reader of this isolation sees, in offset order; lazily, so a caller can hold a bounded part of them.</summary>
    IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset, long toOffset);
}
