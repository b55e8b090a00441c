using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// Brings an opened task's stores up to its changelogs' last stable offsets in rounds, applying committed transactions
/// only (<see cref="TaskRestorer.CatchUp"/>): the work of a standby task (<see cref="StandbyTask"/>), and the first phase
/// of a task that starts on this thread (<c>TaskManager.Pending.cs</c>), whose restore then reads only the tail. The
/// caller reads the changelogs of many tasks together (<see cref="IChangelogReader.ReadMany"/> over
/// <see cref="Ranges"/>) and hands each its part (<see cref="CatchUp"/>).
/// </summary>
/// <remarks>
/// <para>A changelog partition is read when its last stable offset moved since it was last read to the end, or when
/// its last read stopped early (record limit or the round's time budget).</para>
/// <para><b>Every round continues where the last read stopped, not where the store is.</b> What a round read but could
/// not apply (records after the last marker it saw; on the embedded cluster also the last complete transaction, which
/// is held back) is kept with the partition's read position and served again, in front of the next round's records,
/// so a round that reads anything moves the catch-up forward. Rounds used to read again from the store's position:
/// a round whose read did not reach two commit markers of a partition (one where readers show committed records
/// only) applied nothing and the next round read the same records again. On the embedded cluster, which returns one
/// record batch per partition per fetch, a round of half a commit interval often got no further than that, and
/// restoring tasks stayed Restoring for minutes (failover bench, rolling restart). The kept records are exactly what
/// one read from the store's position returns, so what is applied is what a single read would apply; they are at most
/// the records since the store's last applied marker.</para>
/// </remarks>
internal sealed class ChangelogCatchUp
{
    private readonly StreamTask _task;
    private readonly Dictionary<(string Topic, int Partition), long> _stable = new();
    private readonly Dictionary<(string Topic, int Partition), long> _readTo = new();
    private readonly Dictionary<(string Topic, int Partition), ReadAhead> _readAhead = new();
    private readonly Dictionary<(string Topic, int Partition), ReadAhead> _round = new();

    /// <param name="task">The task, constructed (stores opened) but neither restored nor initialized.</param>
    public ChangelogCatchUp(StreamTask task) => _task = task;

    /// <summary>The task whose stores this catches up.</summary>
    public StreamTask Task => _task;

    public TaskId Id => _task.Id;

    /// <summary>Changelog records applied to the task since it opened.</summary>
    public long AppliedRecords => _task.RestoredRecords;

    /// <summary>Changelog offsets between the stores' positions and the last stable offsets last seen, summed over the
    /// task's changelog partitions; -1 before the first round.</summary>
    public long Lag => _stable.Count == 0
        ? -1
        : _task.LoggedStores.Sum(s => Math.Max(0, _stable.GetValueOrDefault((s.ChangelogTopic!, s.Partition)) - (s.Inner.Checkpoint?.ChangelogNextOffset ?? 0)));

    /// <summary>The changelog partitions of the task's stores.</summary>
    public IEnumerable<(string Topic, int Partition)> ChangelogPartitions => _task.LoggedStores.Select(s => (s.ChangelogTopic!, s.Partition));

    /// <summary>The changelog partitions with something to read since the last <see cref="Observe"/>.</summary>
    public IEnumerable<(string Topic, int Partition)> Pending =>
        ChangelogPartitions.Where(p => _stable.TryGetValue(p, out var stable) && (!_readTo.TryGetValue(p, out var done) || done < stable));

    /// <summary>Each logged store's local checkpoint (null: nothing applied yet), for tests and logs.</summary>
    public IReadOnlyDictionary<string, LocalCheckpoint?> Checkpoints => _task.LoggedStores.ToDictionary(s => s.Name, s => s.Inner.Checkpoint);

    /// <summary>Whether every changelog partition was read to the last stable offset of the last <see cref="Observe"/>
    /// (true at once for a task without changelogs).</summary>
    public bool CaughtUp => _task.LoggedStores.Count == 0 || (_stable.Count > 0 && !Pending.Any());

    /// <summary>Takes the round's log starts and last stable offsets of this task's changelog partitions.</summary>
    public void Observe(IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents)
    {
        foreach (var partition in ChangelogPartitions)
        {
            if (extents.TryGetValue(partition, out var extent))
            {
                _stable[partition] = extent.Stable;
            }
        }

        _task.RestoreProgress?.Observe(extents);
    }

    /// <summary>Records the last <see cref="CatchUp"/> received from its read (new ones, not those kept from before).</summary>
    public long LastRoundRecords { get; private set; }

    /// <summary>What to read of the changelog partitions with something new (<see cref="Pending"/>): from where the last
    /// read of each stopped (the store's position when nothing read is kept) to the last stable offset from
    /// <paramref name="extents"/>; none for a partition whose log no longer starts at or before the store's position
    /// (<see cref="CatchUp"/> fails the standby on it without reading). Call <see cref="CatchUp"/> with what was read
    /// before the next call.</summary>
    public IReadOnlyList<ChangelogRange> Ranges(IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents)
    {
        var pending = Pending.ToHashSet();
        var ranges = new List<ChangelogRange>();
        _round.Clear();
        foreach (var store in _task.LoggedStores)
        {
            var partition = (store.ChangelogTopic!, store.Partition);
            var from = Position(store);
            if (!pending.Contains(partition) || !extents.TryGetValue(partition, out var extent) || extent.Start > from)
            {
                continue;
            }

            // Kept records serve only while they start at the store's position and end within the log (a changelog
            // recreated shorter drops them: a read from the store's position finds out what the log holds now).
            var ahead = _readAhead.GetValueOrDefault(partition) is { } kept && kept.From == from && kept.ReadTo <= Math.Max(from, extent.Stable)
                ? kept
                : new ReadAhead(from, [], from);
            _round[partition] = ahead;
            ranges.Add(new ChangelogRange(partition.Item1, partition.Item2, ahead.ReadTo, Math.Max(ahead.ReadTo, extent.Stable)));
        }

        return ranges;
    }

    /// <summary>Applies the committed transactions in what the round read (<paramref name="batches"/>, from
    /// <see cref="Ranges"/>) of this task's pending changelog partitions. Returns the records applied.</summary>
    /// <exception cref="ChangelogTruncatedException">A log no longer holds a store's position.</exception>
    public long CatchUp(IChangelogReader reader, IReadOnlyDictionary<(string Topic, int Partition), ChangelogBatch> batches,
        IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents)
    {
        var round = new Dictionary<(string, int), (long, long)>();
        var served = new Dictionary<(string Topic, int Partition), ChangelogBatch>();
        LastRoundRecords = 0;
        foreach (var partition in Pending.Where(extents.ContainsKey))
        {
            var extent = extents[partition];
            if (!batches.TryGetValue(partition, out var batch) || !_round.TryGetValue(partition, out var ahead))
            {
                // A partition the round did not read is truncated: the restorer's check fails on it before any read.
                round[partition] = extent;
                continue;
            }

            // The kept records cover [store position, where this round's read started) and the batch the rest: together
            // exactly what one read from the store's position would have returned.
            LastRoundRecords += batch.Records.Count;
            served[partition] = new ChangelogBatch(ahead.Records.Count == 0 ? batch.Records : [.. ahead.Records, .. batch.Records], batch.ReadTo, batch.Complete);
            round[partition] = (extent.Start, batch.ReadTo);
        }

        _round.Clear();
        var applied = new TaskRestorer(_task, new BufferedChangelogReader(reader, served)).CatchUp(round, long.MaxValue);
        foreach (var store in _task.LoggedStores)
        {
            var partition = (store.ChangelogTopic!, store.Partition);
            if (!served.TryGetValue(partition, out var batch))
            {
                continue;
            }

            // Keep what was read past the store's new position, to be served again next round in front of what is new.
            var position = Position(store);
            _readAhead.Remove(partition);
            if (batch.ReadTo > position)
            {
                _readAhead[partition] = new ReadAhead(position, batch.Records.Where(r => r.Offset >= position).ToList(), batch.ReadTo);
            }

            if (batch.Complete)
            {
                // Read to the end: nothing more until the offset moves.
                _readTo[partition] = extents[partition].Stable;
            }
        }

        return applied;
    }

    private static long Position(TransactionalBytesStore store) => store.Inner.Checkpoint?.ChangelogNextOffset ?? 0;

    /// <summary>What was read of a changelog partition and not applied: the records the reader showed in
    /// [<paramref name="From"/>, <paramref name="ReadTo"/>), <paramref name="From"/> being the store's position.</summary>
    private sealed record ReadAhead(long From, IReadOnlyList<ChangelogRecord> Records, long ReadTo);
}
