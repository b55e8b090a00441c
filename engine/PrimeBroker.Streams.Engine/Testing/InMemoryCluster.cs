using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>
/// The test driver's topics: partitioned logs whose records carry their transaction state. Pending records block a
/// read_committed reader (like the last stable offset) and aborted ones are skipped; with
/// <see cref="UncommittedVisible"/> both are shown, as librdkafka's mock cluster does.
/// </summary>
internal sealed class InMemoryCluster
{
    private readonly Dictionary<string, Partition[]> _topics = new();
    private readonly Func<string, int> _partitionsOf;

    public InMemoryCluster(Func<string, int> partitionsOf, bool uncommittedVisible)
    {
        _partitionsOf = partitionsOf;
        UncommittedVisible = uncommittedVisible;
    }

    public bool UncommittedVisible { get; }

    public Dictionary<TopicPartition, long> GroupOffsets { get; } = new();

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

    public void EndTransaction(bool commit)
    {
        foreach (var (_, _, log) in All())
        {
            foreach (var record in log.Records)
            {
                if (record.State == TxnState.Pending)
                {
                    record.State = commit ? TxnState.Committed : TxnState.Aborted;
                }
            }
        }
    }

    /// <summary>Visible records from <paramref name="from"/> on, each with its offset, as a reader of the configured
    /// isolation sees them.</summary>
    public IEnumerable<(long Offset, StoredRecord Record)> Read(string topic, int partition, long from)
    {
        var log = Topic(topic)[partition];
        for (var offset = Math.Max(from, log.LogStart); offset < log.End; offset++)
        {
            var record = log.Records[(int)(offset - log.LogStart)];
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

            yield return (offset, record);
        }
    }

    internal enum TxnState
    {
        Committed,
        Pending,
        Aborted,
    }

    internal sealed class StoredRecord(byte[]? key, byte[]? value, Headers? headers, long timestamp, TxnState state)
    {
        public byte[]? Key { get; } = key;

        public byte[]? Value { get; } = value;

        public Headers? Headers { get; } = headers;

        public long Timestamp { get; } = timestamp;

        public TxnState State { get; set; } = state;
    }

    internal sealed class Partition
    {
        public List<StoredRecord> Records { get; } = new();

        public long LogStart { get; private set; }

        public long End => LogStart + Records.Count;

        public long Append(StoredRecord record)
        {
            Records.Add(record);
            return End - 1;
        }

        public void DeleteBefore(long offset)
        {
            var count = (int)Math.Clamp(offset - LogStart, 0, Records.Count);
            Records.RemoveRange(0, count);
            LogStart += count;
        }
    }
}

/// <summary>The driver's collector and transaction: sends become pending records, commit makes them visible.</summary>
internal sealed class InMemoryTransaction : IRecordCollector, ITransaction
{
    private readonly InMemoryCluster _cluster;
    private readonly bool _storeGroupOffsets;
    private int _roundRobin;

    public InMemoryTransaction(InMemoryCluster cluster, bool storeGroupOffsets)
    {
        _cluster = cluster;
        _storeGroupOffsets = storeGroupOffsets;
    }

    /// <summary>Called between the Kafka commit and the local apply, or before the commit, to simulate a crash there.</summary>
    public Action<bool>? CrashHook { get; set; }

    public void Send(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp) =>
        Append(topic, partition, key, value, headers, timestamp);

    public void Send(string topic, int partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, Action<long> onDelivered) =>
        onDelivered(Append(topic, partition, key, value, headers, timestamp));

    public int PartitionCount(string topic) => _cluster.Topic(topic).Length;

    public void Flush()
    {
    }

    public void Commit(IReadOnlyDictionary<TopicPartition, long> inputOffsets)
    {
        CrashHook?.Invoke(false);
        _cluster.EndTransaction(commit: true);
        if (_storeGroupOffsets)
        {
            foreach (var (tp, offset) in inputOffsets)
            {
                _cluster.GroupOffsets[tp] = offset;
            }
        }

        CrashHook?.Invoke(true);
    }

    public void Abort() => _cluster.EndTransaction(commit: false);

    private long Append(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp)
    {
        var partitions = _cluster.Topic(topic);
        var p = partition ?? (key is null ? _roundRobin++ % partitions.Length : Partitioning.ForKey(key, partitions.Length));
        if (p < 0 || p >= partitions.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), $"Partition {p} does not exist in '{topic}' ({partitions.Length} partitions).");
        }

        return partitions[p].Append(new InMemoryCluster.StoredRecord(key, value, headers, timestamp, InMemoryCluster.TxnState.Pending));
    }
}

/// <summary>Restores from the driver's logs with the cluster's isolation.</summary>
internal sealed class InMemoryChangelogReader(InMemoryCluster cluster) : IChangelogReader
{
    public long LogStartOffset(string topic, int partition) => cluster.Topic(topic)[partition].LogStart;

    public long EndOffset(string topic, int partition) => cluster.Topic(topic)[partition].End;

    public IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset) =>
        cluster.Read(topic, partition, fromOffset)
            .Select(r => new ChangelogRecord(r.Offset, r.Record.Key ?? [], r.Record.Value, CommitMarkers.IsMarker(r.Record.Headers)))
            .ToList();
}
