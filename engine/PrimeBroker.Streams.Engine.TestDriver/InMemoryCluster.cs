using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>
/// The test driver's topics: partitioned logs whose records carry their transaction state. Pending records block a
/// read_committed reader (the last stable offset) and aborted ones are skipped; with <see cref="UncommittedVisible"/>
/// both are shown, as librdkafka's mock cluster does.
/// </summary>
/// <remarks>
/// <para>Real-cluster timing, for tests of the engine (all off by default): a commit's markers can land after the commit
/// returned (<see cref="MarkerDelay"/>), so the last stable offset lags a committed transaction; a transaction left open
/// by a dead producer can stay open until the broker's transaction timeout (<see cref="AbandonTransaction"/>). Scripted
/// faults: a failing send (<see cref="FailProduce"/>), an EndTxn that times out (<see cref="CommitTimeouts"/>) and a refused
/// offset commit (<see cref="SendOffsetsErrors"/>). Time here
/// is simulated: it moves only when a restore polls the last stable offset (<see cref="StableOffsetPollInterval"/> per
/// poll) or a test calls <see cref="Advance"/>, so every test is deterministic.</para>
/// <para>Not thread-safe: the driver runs everything on its caller's thread.</para>
/// </remarks>
internal sealed class InMemoryCluster
{
    private readonly Dictionary<string, Partition[]> _topics = new();
    private readonly Func<string, int> _partitionsOf;
    private readonly Dictionary<long, List<StoredRecord>> _pendingByTransaction = new();
    private readonly List<(long Transaction, bool Commit, TimeSpan LandsAt)> _inFlight = new();
    private readonly Dictionary<string, long> _openByTransactionalId = new();
    private readonly Dictionary<string, int> _epochs = new();
    private long _nextTransaction = 1;

    public InMemoryCluster(Func<string, int> partitionsOf, bool uncommittedVisible)
    {
        _partitionsOf = partitionsOf;
        UncommittedVisible = uncommittedVisible;
    }

    public bool UncommittedVisible { get; }

    public Dictionary<TopicPartition, long> GroupOffsets { get; } = new();

    /// <summary>How long after a commit (simulated time) its markers land; zero: before the commit returns.</summary>
    public TimeSpan MarkerDelay { get; set; }

    /// <summary>How long a restore waits for the last stable offset (simulated); the transaction timeout's role.</summary>
    public TimeSpan StableOffsetTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Simulated time one poll of the last stable offset takes.</summary>
    public TimeSpan StableOffsetPollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Simulated time since the cluster started.</summary>
    public TimeSpan Now { get; private set; }

    /// <summary>Polls of the last stable offset that found it below what the restore needed.</summary>
    public int StableOffsetWaits { get; private set; }

    /// <summary>Transactions decided but whose markers have not landed yet.</summary>
    public int MarkersInFlight => _inFlight.Count;

    /// <summary>
    /// Scripted fault: called for every record a producer sends (topic, message); true makes that send throw a
    /// <see cref="ProduceException{TKey,TValue}"/> (Local_State, as librdkafka does in a transaction's error state).
    /// </summary>
    public Func<string, Message<byte[], byte[]>, bool>? FailProduce { get; set; }

    /// <summary>
    /// Scripted fault: commits whose EndTxn times out, in order; each value says whether the coordinator committed anyway
    /// (true: the markers land as for any commit) or never saw the request (false: the transaction stays open until a
    /// producer with the same transactional id initialises and aborts it). The commit fails with an unknown outcome.
    /// </summary>
    public Queue<bool> CommitTimeouts { get; } = new();

    /// <summary>
    /// Scripted fault: errors the group coordinator answers to a transaction's offset commit (TxnOffsetCommit), in order;
    /// each fails one <c>SendOffsetsToTransaction</c> (IllegalGeneration or UnknownMemberId: the member's partitions moved).
    /// </summary>
    public Queue<ErrorCode> SendOffsetsErrors { get; } = new();

    public Partition[] Topic(string name)
    {
        if (!_topics.TryGetValue(name, out var partitions))
        {
            partitions = Enumerable.Range(0, _partitionsOf(name)).Select(_ => new Partition()).ToArray();
            _topics[name] = partitions;
        }

        return partitions;
    }

    public IEnumerable<(string Topic, int Partition, Partition Log)> All() =>
        _topics.SelectMany(t => t.Value.Select((log, i) => (t.Key, i, log)));

    /// <summary>A new transaction of the producer with <paramref name="transactionalId"/>; returns its id.</summary>
    public long BeginTransaction(string transactionalId)
    {
        var transaction = _nextTransaction++;
        _openByTransactionalId[transactionalId] = transaction;
        return transaction;
    }

    /// <summary>A producer with <paramref name="transactionalId"/> initialises: the coordinator aborts that id's open
    /// transaction (a decided one completes as decided) and bumps the id's epoch, which fences every earlier producer of
    /// that id. Returns the new producer's epoch.</summary>
    public int InitProducer(string transactionalId)
    {
        if (_openByTransactionalId.Remove(transactionalId, out var open))
        {
            Land(open, commit: false);
        }

        var epoch = Epoch(transactionalId) + 1;
        _epochs[transactionalId] = epoch;
        return epoch;
    }

    /// <summary>The epoch of the newest producer of <paramref name="transactionalId"/> (0: none initialised yet).</summary>
    public int Epoch(string transactionalId) => _epochs.GetValueOrDefault(transactionalId);

    public long Append(string topic, int partition, StoredRecord record)
    {
        var offset = Topic(topic)[partition].Append(record);
        if (record.State == TxnState.Pending)
        {
            if (!_pendingByTransaction.TryGetValue(record.Transaction, out var records))
            {
                records = new List<StoredRecord>();
                _pendingByTransaction[record.Transaction] = records;
            }

            records.Add(record);
        }

        return offset;
    }

    /// <summary>The coordinator decided: the markers land now, or after <see cref="MarkerDelay"/> for a commit.</summary>
    public void EndTransaction(long transaction, bool commit)
    {
        foreach (var (id, open) in _openByTransactionalId.Where(e => e.Value == transaction).ToList())
        {
            _openByTransactionalId.Remove(id);
        }

        if (commit && MarkerDelay > TimeSpan.Zero)
        {
            _inFlight.Add((transaction, commit, Now + MarkerDelay));
            return;
        }

        Land(transaction, commit);
    }

    /// <summary>A dead producer's open transaction: the broker aborts it after <paramref name="timeout"/> (simulated), or
    /// at once when a producer with the same transactional id initialises (<see cref="EndTransaction"/>).</summary>
    public void AbandonTransaction(string transactionalId, TimeSpan timeout)
    {
        if (_openByTransactionalId.Remove(transactionalId, out var open))
        {
            _inFlight.Add((open, false, Now + timeout));
        }
    }

    /// <summary>Lets simulated time pass; markers and broker-side aborts that fall due land.</summary>
    public void Advance(TimeSpan by)
    {
        Now += by;
        foreach (var due in _inFlight.Where(f => f.LandsAt <= Now).ToList())
        {
            _inFlight.Remove(due);
            Land(due.Transaction, due.Commit);
        }
    }

    /// <summary>Lands every marker in flight now.</summary>
    public void DeliverMarkers()
    {
        foreach (var (transaction, commit, _) in _inFlight.ToList())
        {
            Land(transaction, commit);
        }

        _inFlight.Clear();
    }

    /// <summary>The read_committed end: the first offset of an unresolved transaction, or the log end. The embedded
    /// cluster answers the log end always.</summary>
    public long StableOffset(string topic, int partition)
    {
        var log = Topic(topic)[partition];
        return UncommittedVisible ? log.End : log.FirstPendingOffset() ?? log.End;
    }

    /// <summary>The restore's wait for the last stable offset, on simulated time.</summary>
    public long WaitForStableOffset(string topic, int partition, long offset)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            var stable = StableOffset(topic, partition);
            if (stable >= offset || waited >= StableOffsetTimeout)
            {
                return stable;
            }

            StableOffsetWaits++;
            Advance(StableOffsetPollInterval);
            waited += StableOffsetPollInterval;
        }
    }

    /// <summary>Visible records from <paramref name="from"/> on, each with its offset, as a reader of the configured
    /// isolation sees them.</summary>
    public IEnumerable<(long Offset, StoredRecord Record)> Read(string topic, int partition, long from)
    {
        foreach (var record in Topic(topic)[partition].From(from))
        {
            if (!UncommittedVisible)
            {
                if (record.State == TxnState.Pending)
                {
                    yield break;
                }

                if (record.State == TxnState.Aborted)
                {
                    continue;
                }
            }

            yield return (record.Offset, record);
        }
    }

    /// <summary>Log compaction as a real cluster's cleaner does it, up to the last stable offset: per key only the newest
    /// record stays; aborted records go. Offsets do not change, so the log gets gaps.</summary>
    public void Compact(string topic, int partition) => Topic(topic)[partition].Compact(StableOffset(topic, partition));

    /// <summary>Deletes and recreates <paramref name="topic"/>: every partition empty again, offsets from 0.</summary>
    public void Recreate(string topic)
    {
        foreach (var log in Topic(topic))
        {
            log.Clear();
        }
    }

    private void Land(long transaction, bool commit)
    {
        if (_pendingByTransaction.Remove(transaction, out var records))
        {
            foreach (var record in records)
            {
                record.State = commit ? TxnState.Committed : TxnState.Aborted;
            }
        }
    }

    internal enum TxnState
    {
        Committed,
        Pending,
        Aborted,
    }

    internal sealed class StoredRecord(byte[]? key, byte[]? value, Headers? headers, long timestamp, TxnState state, long transaction = 0)
    {
        public byte[]? Key { get; } = key;

        public byte[]? Value { get; } = value;

        public Headers? Headers { get; } = headers;

        public long Timestamp { get; } = timestamp;

        public TxnState State { get; set; } = state;

        /// <summary>The transaction that wrote it (0: written outside any transaction).</summary>
        public long Transaction { get; } = transaction;

        public long Offset { get; set; }
    }

    /// <summary>One partition's log: records in offset order; offsets are not contiguous after compaction.</summary>
    internal sealed class Partition
    {
        private readonly List<StoredRecord> _records = new();

        public long LogStart { get; private set; }

        public long End { get; private set; }

        public long Append(StoredRecord record)
        {
            record.Offset = End++;
            _records.Add(record);
            return record.Offset;
        }

        public IEnumerable<StoredRecord> From(long offset)
        {
            for (var i = IndexOf(Math.Max(offset, LogStart)); i < _records.Count; i++)
            {
                yield return _records[i];
            }
        }

        public long? FirstPendingOffset() => _records.FirstOrDefault(r => r.State == TxnState.Pending)?.Offset;

        public void DeleteBefore(long offset)
        {
            _records.RemoveRange(0, IndexOf(offset));
            LogStart = Math.Max(LogStart, Math.Min(offset, End));
        }

        public void Compact(long upTo)
        {
            var newest = new Dictionary<string, long>();
            foreach (var record in _records.Where(r => r.Offset < upTo && r.State == TxnState.Committed && r.Key is not null))
            {
                newest[Convert.ToBase64String(record.Key!)] = record.Offset;
            }

            _records.RemoveAll(r => r.Offset < upTo && (r.State == TxnState.Aborted
                || (r.Key is not null && newest.TryGetValue(Convert.ToBase64String(r.Key), out var keep) && keep != r.Offset)));
        }

        public void Clear()
        {
            _records.Clear();
            LogStart = 0;
            End = 0;
        }

        /// <summary>Index of the first record at or after <paramref name="offset"/>.</summary>
        private int IndexOf(long offset)
        {
            int lo = 0, hi = _records.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_records[mid].Offset < offset)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
