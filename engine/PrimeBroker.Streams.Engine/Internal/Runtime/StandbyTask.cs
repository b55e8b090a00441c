using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// A warm copy of a task that another instance runs: the task's stores, opened in the task's state directory exactly as
/// an active task opens them, kept up to date from the task's changelogs by <see cref="TaskRestorer.CatchUp"/>. Its
/// processors never run and it never commits or serves queries. When this instance becomes the task's owner the
/// standby is closed first and the active task opens the same stores and restores only the tail after their
/// checkpoints.
/// </summary>
/// <remarks>Work is per changelog partition (one store), so a round can stop between two stores: a partition is read
/// when its last stable offset moved since it was last read to the end, or when its last read stopped at the record
/// limit.</remarks>
internal sealed class StandbyTask : IDisposable
{
    private readonly StreamTask _task;
    private readonly Dictionary<(string Topic, int Partition), long> _stable = new();
    private readonly Dictionary<(string Topic, int Partition), long> _readTo = new();

    /// <param name="task">The task, constructed (stores opened) but neither restored nor initialized.</param>
    public StandbyTask(StreamTask task) => _task = task;

    public TaskId Id => _task.Id;

    /// <summary>Changelog records applied since the standby opened.</summary>
    public long AppliedRecords => _task.RestoredRecords;

    /// <summary>Changelog offsets between the stores' positions and the last stable offsets last seen, summed over the
    /// task's changelog partitions; -1 before the first round.</summary>
    public long Lag => _stable.Count == 0
        ? -1
        : _task.LoggedStores.Sum(s => Math.Max(0, _stable.GetValueOrDefault((s.ChangelogTopic!, s.Partition)) - (s.Inner.Checkpoint?.ChangelogNextOffset ?? 0)));

    /// <summary>The changelog partitions the standby reads.</summary>
    public IEnumerable<(string Topic, int Partition)> ChangelogPartitions => _task.LoggedStores.Select(s => (s.ChangelogTopic!, s.Partition));

    /// <summary>The changelog partitions with something to read since the last <see cref="Observe"/>.</summary>
    public IEnumerable<(string Topic, int Partition)> Pending =>
        ChangelogPartitions.Where(p => _stable.TryGetValue(p, out var stable) && (!_readTo.TryGetValue(p, out var done) || done < stable));

    /// <summary>Each logged store's local checkpoint (null: nothing applied yet), for tests and logs.</summary>
    public IReadOnlyDictionary<string, LocalCheckpoint?> Checkpoints => _task.LoggedStores.ToDictionary(s => s.Name, s => s.Inner.Checkpoint);

    /// <summary>A store's committed bytes, for tests (a standby serves no queries).</summary>
    internal IBytesReader Store(string name) => _task.Stores[name].Inner;

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
    }

    /// <summary>Applies committed changelog data of one changelog <paramref name="partition"/> up to its last stable
    /// offset from <paramref name="extents"/>, at most about <paramref name="maxRecords"/> records. Returns the records applied.</summary>
    public long CatchUp(IChangelogReader reader, (string Topic, int Partition) partition,
        IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents, long maxRecords)
    {
        var extent = extents[partition];
        var restorer = new TaskRestorer(_task, reader);
        var applied = restorer.CatchUp(new Dictionary<(string, int), (long, long)> { [partition] = extent }, maxRecords);
        if (!restorer.StoppedAtLimit)
        {
            // Read to the end: nothing more until the offset moves.
            _readTo[partition] = extent.Stable;
        }

        return applied;
    }

    /// <summary>Closes the stores (their data and checkpoints stay on disk for the task's next owner here).</summary>
    public void Dispose() => _task.Dispose();
}
