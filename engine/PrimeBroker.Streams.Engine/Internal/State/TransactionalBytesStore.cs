namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// The middle store layer: the task's uncommitted writes over the committed <see cref="IBytesStore"/>. Reads see the
/// overlay first. At commit the overlay becomes the changelog records of the transaction (one record per key, the last
/// value: a write cache in Kafka Streams' sense) and, once the Kafka transaction committed, one atomic local batch.
/// </summary>
/// <remarks>
/// Repair keys: after an aborted attempt, or after a restore that found records past the last commit marker, the
/// changelog holds values of keys that never committed. On a real cluster read_committed hides them; on a cluster that
/// shows them (librdkafka's mock), a later restore would read them as part of the next transaction. So the next commit
/// rewrites every such key with its true value, which makes "last write before the marker wins" correct on both.
/// </remarks>
internal sealed class TransactionalBytesStore : IBytesReader
{
    private readonly Dictionary<byte[], byte[]?> _overlay = new(ByteArrayComparer.Instance);
    private readonly HashSet<byte[]> _repairKeys = new(ByteArrayComparer.Instance);

    public TransactionalBytesStore(IBytesStore inner, string? changelogTopic, int partition)
    {
        Inner = inner;
        ChangelogTopic = changelogTopic;
        Partition = partition;
    }

    public IBytesStore Inner { get; }

    public string Name => Inner.Name;

    /// <summary>Null when logging is disabled.</summary>
    public string? ChangelogTopic { get; }

    public int Partition { get; }

    public bool IsDirty => _overlay.Count > 0 || _repairKeys.Count > 0;

    public byte[]? Get(byte[] key) => _overlay.TryGetValue(key, out var value) ? value : Inner.Get(key);

    public void Put(byte[] key, byte[]? value) => _overlay[key] = value;

    public IReadOnlyList<KeyValuePair<byte[], byte[]>> Range(byte[]? from, byte[]? to)
    {
        if (_overlay.Count == 0)
        {
            return Inner.Range(from, to);
        }

        var cmp = ByteArrayComparer.Instance;
        var merged = new SortedDictionary<byte[], byte[]>(cmp);
        foreach (var (k, v) in Inner.Range(from, to))
        {
            merged[k] = v;
        }

        foreach (var (k, v) in _overlay)
        {
            if ((from is not null && cmp.Compare(k, from) < 0) || (to is not null && cmp.Compare(k, to) >= 0))
            {
                continue;
            }

            if (v is null) { merged.Remove(k); }
            else { merged[k] = v; }
        }

        return merged.ToList();
    }

    public long ApproximateCount => Inner.ApproximateCount + _overlay.Count(e => e.Value is not null);

    /// <summary>The records this transaction writes to the changelog: every overlay key and every repair key.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]?>> ChangelogWrites()
    {
        foreach (var entry in _overlay)
        {
            yield return entry;
        }

        foreach (var key in _repairKeys)
        {
            if (!_overlay.ContainsKey(key))
            {
                yield return new(key, Inner.Get(key));
            }
        }
    }

    /// <summary>After the Kafka transaction committed: one atomic local batch with the checkpoint.</summary>
    public void ApplyCommitted(LocalCheckpoint checkpoint)
    {
        Inner.Apply(_overlay, checkpoint);
        ClearCommitted();
    }

    /// <summary>This store's part of its task's local commit write (<see cref="TaskState.Commit"/>): the overlay and
    /// the new checkpoint. Call <see cref="ClearCommitted"/> once written.</summary>
    public StoreWrite CommittedWrite(LocalCheckpoint checkpoint) => new(Name, _overlay, checkpoint);

    /// <summary>After the local commit write: the overlay is committed data now, and the repairs are in the changelog.</summary>
    public void ClearCommitted()
    {
        _overlay.Clear();
        _repairKeys.Clear();
    }

    /// <summary>Discards the uncommitted writes; their keys may sit in the changelog already, so they need repair.</summary>
    public void Rollback()
    {
        _repairKeys.UnionWith(_overlay.Keys);
        _overlay.Clear();
    }

    /// <summary>Keys whose changelog records past the last marker never committed (found by a restore).</summary>
    public void AddRepairKeys(IEnumerable<byte[]> keys) => _repairKeys.UnionWith(keys);
}
