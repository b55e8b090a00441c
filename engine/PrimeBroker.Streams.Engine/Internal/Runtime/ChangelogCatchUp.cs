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
/// <remarks>A changelog partition is read when its last stable offset moved since it was last read to the end, or when
/// its last read stopped early (record limit or the round's time budget).</remarks>
internal sealed class ChangelogCatchUp
{
    private readonly StreamTask _task;
    private readonly Dictionary<(string Topic, int Partition), long> _stable = new();
    private readonly Dictionary<(string Topic, int Partition), long> _readTo = new();

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

    /// <summary>What to read of the changelog partitions with something new (<see cref="Pending"/>): from each store's
    /// position to the last stable offset from <paramref name="extents"/>; none for a partition whose log no longer
    /// starts at or before the store's position (<see cref="CatchUp"/> fails the standby on it without reading).</summary>
    public IEnumerable<ChangelogRange> Ranges(IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents)
    {
        var pending = Pending.ToHashSet();
        foreach (var store in _task.LoggedStores)
        {
            var partition = (store.ChangelogTopic!, store.Partition);
            var from = store.Inner.Checkpoint?.ChangelogNextOffset ?? 0;
            if (pending.Contains(partition) && extents.TryGetValue(partition, out var extent) && extent.Start <= from)
            {
                yield return new ChangelogRange(partition.Item1, partition.Item2, from, Math.Max(from, extent.Stable));
            }
        }
    }

    /// <summary>Applies the committed transactions in what the round read (<paramref name="batches"/>, from
    /// <see cref="Ranges"/>) of this task's pending changelog partitions. Returns the records applied.</summary>
    /// <exception cref="ChangelogTruncatedException">A log no longer holds a store's position.</exception>
    public long CatchUp(IChangelogReader reader, IReadOnlyDictionary<(string Topic, int Partition), ChangelogBatch> batches,
        IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents)
    {
        var round = new Dictionary<(string, int), (long, long)>();
        foreach (var partition in Pending.Where(extents.ContainsKey))
        {
            var extent = extents[partition];
            // A partition the round did not read is truncated: the restorer's check fails on it before any read.
            round[partition] = batches.TryGetValue(partition, out var batch) ? (extent.Start, batch.ReadTo) : extent;
        }

        var applied = new TaskRestorer(_task, new BufferedChangelogReader(reader, batches)).CatchUp(round, long.MaxValue);
        foreach (var (partition, batch) in batches)
        {
            if (batch.Complete && round.ContainsKey(partition))
            {
                // Read to the end: nothing more until the offset moves.
                _readTo[partition] = extents[partition].Stable;
            }
        }

        return applied;
    }
}
