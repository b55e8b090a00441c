using System.Diagnostics;
using Confluent.Kafka.Admin;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// Reads changelog partitions for restores with a read_committed consumer that never joins the group. On a real cluster
/// read_committed ends at the last stable offset (LSO): its watermark query answers the LSO, and records of aborted
/// transactions are never returned. The read_uncommitted end (the high watermark) comes from a ListOffsets request with
/// that isolation, through an admin client on the consumer's own connection.
/// </summary>
/// <remarks>Runs on the restoring thread only. <see cref="CommittedOnly"/> is what the caller declares about the
/// cluster: nothing in a fetch tells an Apache Kafka broker from librdkafka's mock, which answers LSO = high watermark
/// and returns aborted and open transactions' records to read_committed readers.</remarks>
internal sealed class KafkaChangelogReader : IChangelogReader, IDisposable
{
    private static readonly TimeSpan s_stablePollInterval = TimeSpan.FromMilliseconds(50);

    // Short: between two polls the reader checks whether its position reached the end offset.
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(10);

    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<TopicPartition, long> _starts = new();
    private readonly Dictionary<TopicPartition, long> _ends = new();
    private readonly Dictionary<TopicPartition, long> _stables = new();
    private readonly Dictionary<TopicPartition, KeptPartition> _kept = new();
    private IAdminClient? _admin;

    /// <param name="consumer">A read_committed consumer outside the group; disposed with this reader.</param>
    /// <param name="timeout">Bound of each request, and of a read that makes no progress.</param>
    /// <param name="stableOffsetTimeout">How long a restore waits for the LSO to reach the log end (the transaction
    /// timeout: the broker aborts a transaction left open longer); null means <paramref name="timeout"/>.</param>
    /// <param name="committedOnly">True only on a cluster whose read_committed hides uncommitted records (every Apache
    /// Kafka broker); false keeps the restore buffering each transaction until its marker, correct on both.</param>
    public KafkaChangelogReader(IConsumer<byte[], byte[]> consumer, TimeSpan timeout, TimeSpan? stableOffsetTimeout = null, bool committedOnly = false)
    {
        _consumer = consumer;
        _timeout = timeout;
        StableOffsetTimeout = stableOffsetTimeout ?? timeout;
        CommittedOnly = committedOnly;
    }

    public bool CommittedOnly { get; }

    /// <summary>What the last <see cref="ReadMany"/> did, for the restore's debug lines (<c>ReadStats</c>).</summary>
    public ChangelogReadStats LastRead { get; private set; }

    public TimeSpan StableOffsetTimeout { get; }

    public long LogStartOffset(string topic, int partition) =>
        _starts.Remove(new TopicPartition(topic, partition), out var start)
            ? start
            : _consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), _timeout).Low.Value;

    public long LogEndOffset(string topic, int partition)
    {
        var tp = new TopicPartition(topic, partition);
        return _ends.Remove(tp, out var end) ? end : ListOffsets([tp], OffsetSpec.Latest())[tp];
    }

    public void Prefetch(IReadOnlyCollection<(string Topic, int Partition)> partitions)
    {
        ForgetPrefetched();
        var tps = partitions.Select(p => new TopicPartition(p.Topic, p.Partition)).Distinct().ToList();
        if (tps.Count == 0)
        {
            return;
        }

        foreach (var (tp, offset) in ListOffsets(tps, OffsetSpec.Earliest()))
        {
            _starts[tp] = offset;
        }

        foreach (var (tp, offset) in ListOffsets(tps, OffsetSpec.Latest()))
        {
            _ends[tp] = offset;
        }

        // read_committed: the last stable offsets, so a restore whose log has no open transaction waits for nothing.
        foreach (var (tp, offset) in ListOffsets(tps, OffsetSpec.Latest(), IsolationLevel.ReadCommitted))
        {
            _stables[tp] = offset;
        }
    }

    public void ForgetPrefetched()
    {
        _starts.Clear();
        _ends.Clear();
        _stables.Clear();
    }

    public IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> CommittedExtents(IReadOnlyCollection<(string Topic, int Partition)> partitions)
    {
        var tps = partitions.Select(p => new TopicPartition(p.Topic, p.Partition)).Distinct().ToList();
        if (tps.Count == 0)
        {
            return new Dictionary<(string, int), (long, long)>();
        }

        var starts = ListOffsets(tps, OffsetSpec.Earliest());
        // read_committed: the broker answers the last stable offset (librdkafka's mock: the high watermark).
        var stable = ListOffsets(tps, OffsetSpec.Latest(), IsolationLevel.ReadCommitted);
        return tps.ToDictionary(tp => (tp.Topic, tp.Partition.Value), tp => (starts[tp], stable[tp]));
    }

    /// <summary>One ListOffsets request (read_uncommitted unless told) for every partition of <paramref name="partitions"/>.</summary>
    private Dictionary<TopicPartition, long> ListOffsets(IReadOnlyList<TopicPartition> partitions, OffsetSpec spec, IsolationLevel isolation = IsolationLevel.ReadUncommitted)
    {
        _admin ??= new DependentAdminClientBuilder(_consumer.Handle).Build();
        var result = _admin.ListOffsetsAsync(
            partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec }),
            new ListOffsetsOptions { IsolationLevel = isolation, RequestTimeout = _timeout }).GetAwaiter().GetResult();
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (var info in result.ResultInfos.Select(r => r.TopicPartitionOffsetError))
        {
            if (info.Error.IsError)
            {
                throw new KafkaException(info.Error);
            }

            offsets[info.TopicPartition] = info.Offset.Value;
        }

        return offsets;
    }

    public long WaitForStableOffset(string topic, int partition, long offset)
    {
        var tp = new TopicPartition(topic, partition);
        if (_stables.Remove(tp, out var prefetched) && prefetched >= offset)
        {
            return prefetched;
        }

        var waited = Stopwatch.StartNew();
        while (true)
        {
            // read_committed: the broker answers the last stable offset.
            var stable = _consumer.QueryWatermarkOffsets(tp, _timeout).High.Value;
            if (stable >= offset || waited.Elapsed >= StableOffsetTimeout)
            {
                return stable;
            }

            Thread.Sleep(s_stablePollInterval); // markers land within milliseconds; an open transaction takes up to the timeout
        }
    }

    /// <summary>
    /// Every range in one assignment: librdkafka fetches all of them in the same requests, so a round costs about one
    /// fetch round trip however many partitions it reads, where one assignment per partition costs one each. A range
    /// is done when its position reaches its end (transaction control records move the position without being
    /// returned), when a record at its end comes, when the partition's end-of-log event comes at or past its end, or at
    /// its record limit; reading stops when all are done or when the budget has passed since the first answer came (the
    /// first fetch after an assignment does not count against it).
    /// </summary>
    /// <remarks>
    /// <para><b>The assignment stays after the read</b> (until <see cref="ReleaseAssignment"/>, a <see cref="Read"/>, or
    /// a read of other partitions), so librdkafka goes on fetching while the stream thread polls, processes and commits
    /// its running tasks, and the next read of a partition that continues where the last one stopped (its start is
    /// where the last read handed out up to) takes what was fetched meanwhile, with no new assignment and no first
    /// fetch to wait for. The embedded cluster answers a fetch with one record batch per partition, and a changelog
    /// written by small commits is made of batches of a few records, so a restore there is bound by fetch round trips:
    /// a read that unassigned at its end stopped them for the rest of the loop round. Records received past where a
    /// read stops (a done range's end, its record limit) are kept, in order, for the next read that continues there;
    /// dropped otherwise. A read that continues elsewhere is assigned anew from its start.</para>
    /// </remarks>
    public IReadOnlyDictionary<(string Topic, int Partition), ChangelogBatch> ReadMany(IReadOnlyCollection<ChangelogRange> ranges, long maxRecordsPerRange, TimeSpan budget)
    {
        var result = new Dictionary<(string, int), ChangelogBatch>();
        var open = new Dictionary<TopicPartition, OpenRange>();
        foreach (var range in ranges)
        {
            if (range.From >= range.To)
            {
                result[(range.Topic, range.Partition)] = new ChangelogBatch([], range.From, true);
            }
            else
            {
                open[new TopicPartition(range.Topic, range.Partition)] = new OpenRange(range, new ChangelogBatchLimit(maxRecordsPerRange, CommittedOnly));
            }
        }

        if (open.Count == 0)
        {
            return result;
        }

        var started = Stopwatch.StartNew();
        var stats = new ChangelogReadStats { Partitions = open.Count };
        var continued = open.Where(e => _kept.TryGetValue(e.Key, out var kept) && kept.HandedTo == e.Value.Range.From)
            .ToDictionary(e => e.Key, e => _kept[e.Key].Carry);
        var completed = false;
        try
        {
            Reassign(open, continued);
            var pending = open.Count;
            // The budget counts from the first answer: on a loaded machine the first fetch after an assignment can take
            // longer than a round's budget, and a budget counted from the assignment then let a round read one record
            // (the first to come), round after round.
            Stopwatch? sinceProgress = null;
            foreach (var (tp, carry) in continued)
            {
                // What the last read received past where it stopped, before anything new: the partition's records in order.
                var range = open[tp];
                range.Live = true;
                foreach (var record in carry)
                {
                    sinceProgress ??= Stopwatch.StartNew();
                    pending -= range.Take(record);
                }
            }

            while (pending > 0 && (sinceProgress is null || sinceProgress.Elapsed < budget))
            {
                if (sinceProgress is null && started.Elapsed > _timeout)
                {
                    throw new TimeoutException($"Reading {open.Count} changelog partitions together made no progress in {_timeout.TotalSeconds:0.#} s.");
                }

                var message = _consumer.Consume(s_pollInterval);
                if (message is not null)
                {
                    stats.FirstAnswerMs = sinceProgress is null ? started.Elapsed.TotalMilliseconds : stats.FirstAnswerMs;
                    sinceProgress ??= Stopwatch.StartNew();
                    stats.Messages += message.IsPartitionEOF ? 0 : 1;
                }
                else
                {
                    stats.EmptyPolls++;
                }

                if (message is { IsPartitionEOF: true } && open.TryGetValue(message.TopicPartition, out var atEnd) && !atEnd.Done)
                {
                    // The fetch position reached the log end in this assignment: done when that is at or past the range's
                    // end. A range of control records only (a transaction's commit marker after the store's position)
                    // returns no record, and its position can equal the one read right after the assignment (librdkafka
                    // resets a partition's position only when the previous unassignment's fetch stop lands).
                    atEnd.Live = true;
                    if (message.Offset.Value >= atEnd.Range.To)
                    {
                        pending -= atEnd.Finish(complete: true);
                    }

                    continue;
                }

                if (message is { IsPartitionEOF: false } && open.TryGetValue(message.TopicPartition, out var range))
                {
                    range.Live = true;
                    pending -= range.Take(new ChangelogRecord(message.Offset.Value, message.Message.Key ?? [], message.Message.Value, CommitMarkers.IsMarker(message.Message.Headers)));
                    continue;
                }

                if (message is null)
                {
                    foreach (var (tp, candidate) in open)
                    {
                        if (candidate.Done)
                        {
                            continue;
                        }

                        var position = _consumer.Position(tp).Value;
                        candidate.Live |= position != candidate.Assigned;
                        if (candidate.Live && position >= candidate.Range.To)
                        {
                            pending -= candidate.Finish(complete: true);
                            sinceProgress ??= Stopwatch.StartNew();
                        }
                    }
                }
            }

            completed = true;
        }
        finally
        {
            if (completed)
            {
                // Kept assigned: each partition continues, for the next read, where this one handed out up to.
                foreach (var (tp, range) in open)
                {
                    _kept[tp] = new KeptPartition(range.Complete ? range.Range.To : range.ReadTo, range.Carry);
                }
            }
            else
            {
                _kept.Clear();
                _consumer.Unassign();
            }

            stats.ElapsedMs = started.Elapsed.TotalMilliseconds;
            LastRead = stats;
        }

        foreach (var (tp, range) in open)
        {
            result[(tp.Topic, tp.Partition.Value)] = new ChangelogBatch(range.Records, range.Complete ? range.Range.To : range.ReadTo, range.Complete);
        }

        return result;
    }

    /// <summary>Unassigns the partitions a <see cref="ReadMany"/> left assigned (librdkafka stops fetching them) and drops
    /// what was received for them past where the reads stopped. Cheap when none are.</summary>
    public void ReleaseAssignment()
    {
        if (_kept.Count == 0)
        {
            return;
        }

        _kept.Clear();
        _consumer.Unassign();
    }

    /// <summary>The partitions left assigned (for tests).</summary>
    internal IReadOnlyCollection<TopicPartition> KeptAssigned => _kept.Keys;

    /// <summary>Makes the assignment exactly <paramref name="open"/>: partitions that continue stay as they are, the
    /// others are assigned from their ranges' starts (incrementally when some stay, so theirs is not reset); partitions
    /// no range reads are unassigned.</summary>
    private void Reassign(Dictionary<TopicPartition, OpenRange> open, Dictionary<TopicPartition, IReadOnlyList<ChangelogRecord>> continued)
    {
        var fresh = open.Where(e => !continued.ContainsKey(e.Key)).Select(e => new TopicPartitionOffset(e.Key, e.Value.Range.From)).ToList();
        if (continued.Count == 0)
        {
            _kept.Clear();
            _consumer.Assign(fresh);
        }
        else
        {
            var drop = _kept.Keys.Where(tp => !continued.ContainsKey(tp)).ToList();
            foreach (var tp in drop)
            {
                _kept.Remove(tp);
            }

            if (drop.Count > 0)
            {
                _consumer.IncrementalUnassign(drop);
            }

            if (fresh.Count > 0)
            {
                _consumer.IncrementalAssign(fresh);
            }
        }

        // As in Read: a position is trusted once it differs from the one right after the assignment (a position left
        // from an earlier read of the same partition), or after a record came.
        foreach (var tpo in fresh)
        {
            open[tpo.TopicPartition].Assigned = _consumer.Position(tpo.TopicPartition).Value;
        }
    }

    public IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset, long toOffset)
    {
        if (fromOffset >= toOffset)
        {
            yield break;
        }

        var tp = new TopicPartition(topic, partition);
        ReleaseAssignment();
        _consumer.Assign(new TopicPartitionOffset(tp, fromOffset));
        try
        {
            var deadline = DateTime.UtcNow + _timeout;
            // The position is trusted once it belongs to this read: after a record came, or once it differs from what
            // it was right after the assignment (a position left from an earlier read of the same partition).
            var assigned = _consumer.Position(tp).Value;
            var live = false;
            while (true)
            {
                var result = _consumer.Consume(s_pollInterval);
                if (result is null)
                {
                    // The end offset was read before the restore began, so the read ends when the position reaches it,
                    // with no partition-EOF event (that needs one more fetch at the log end, which the embedded cluster
                    // answers only after the full fetch wait). The position moves past transaction control records,
                    // which take offsets but are never returned.
                    var position = _consumer.Position(tp).Value;
                    live |= position != assigned;
                    if (live && position >= toOffset)
                    {
                        yield break;
                    }

                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException($"Restoring {tp} stalled before offset {toOffset} (position {_consumer.Position(tp)}); " +
                            "an open transaction may block read_committed until the broker aborts it.");
                    }

                    continue;
                }

                deadline = DateTime.UtcNow + _timeout;
                live = true;
                if (result.IsPartitionEOF)
                {
                    if (result.Offset.Value >= toOffset)
                    {
                        yield break;
                    }

                    continue;
                }

                if (result.Offset.Value >= toOffset)
                {
                    yield break;
                }

                yield return new ChangelogRecord(result.Offset.Value, result.Message.Key ?? [], result.Message.Value, CommitMarkers.IsMarker(result.Message.Headers));
                if (result.Offset.Value + 1 >= toOffset)
                {
                    yield break;
                }
            }
        }
        finally
        {
            _consumer.Unassign();
        }
    }

    public void Dispose()
    {
        _admin?.Dispose();
        _consumer.Dispose();
    }

    /// <summary>A partition left assigned by <see cref="ReadMany"/>: what that read handed out up to, and the records it
    /// received from there on.</summary>
    private sealed record KeptPartition(long HandedTo, IReadOnlyList<ChangelogRecord> Carry);

    /// <summary>One range of <see cref="ReadMany"/> while it is read.</summary>
    private sealed class OpenRange(ChangelogRange range, ChangelogBatchLimit limit)
    {
        private ChangelogBatchLimit _limit = limit;

        public ChangelogRange Range { get; } = range;

        public ref ChangelogBatchLimit Limit => ref _limit;

        public List<ChangelogRecord> Records { get; } = new();

        public long ReadTo { get; set; } = range.From;

        public long Assigned { get; set; }

        public bool Live { get; set; }

        public bool Done { get; private set; }

        public bool Complete { get; private set; }

        /// <summary>Records received after the range was done (past its end or its record limit), in order.</summary>
        public List<ChangelogRecord> Carry { get; } = new();

        /// <summary>Takes a record of the partition; returns 1 when it made the range done (the caller counts the ranges
        /// still open).</summary>
        public int Take(ChangelogRecord record)
        {
            if (Done)
            {
                Carry.Add(record);
                return 0;
            }

            if (record.Offset >= Range.To)
            {
                Carry.Add(record);
                return Finish(complete: true);
            }

            Records.Add(record);
            ReadTo = record.Offset + 1;
            if (record.Offset + 1 >= Range.To)
            {
                return Finish(complete: true);
            }

            return _limit.Reached(record) ? Finish(complete: false) : 0;
        }

        /// <summary>Marks the range done; returns 1 (the caller counts the ranges still open).</summary>
        public int Finish(bool complete)
        {
            Done = true;
            Complete = complete;
            return 1;
        }
    }
}

/// <summary>What one <see cref="KafkaChangelogReader.ReadMany"/> did: partitions read, records received (control records
/// are never received), polls that came back empty (<c>10 ms</c> each at most), milliseconds from the assignment to the
/// first answer, and in all.</summary>
internal struct ChangelogReadStats
{
    public int Partitions;
    public long Messages;
    public long EmptyPolls;
    public double FirstAnswerMs;
    public double ElapsedMs;
}
