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
internal sealed class StandbyTask : IDisposable
{
    private readonly StreamTask _task;

    /// <param name="task">The task, constructed (stores opened) but neither restored nor initialized.</param>
    public StandbyTask(StreamTask task) => _task = task;

    public TaskId Id => _task.Id;

    /// <summary>Changelog records applied since the standby opened.</summary>
    public long AppliedRecords => _task.RestoredRecords;

    /// <summary>Changelog offsets between the stores' positions and the last stable offset at the last round, summed
    /// over the task's changelog partitions; -1 before the first round.</summary>
    public long Lag { get; private set; } = -1;

    /// <summary>The changelog partitions the standby reads.</summary>
    public IEnumerable<(string Topic, int Partition)> ChangelogPartitions => _task.LoggedStores.Select(s => (s.ChangelogTopic!, s.Partition));

    /// <summary>Each logged store's local checkpoint (null: nothing applied yet), for tests and logs.</summary>
    public IReadOnlyDictionary<string, LocalCheckpoint?> Checkpoints => _task.LoggedStores.ToDictionary(s => s.Name, s => s.Inner.Checkpoint);

    /// <summary>A store's committed bytes, for tests (a standby serves no queries).</summary>
    internal IBytesReader Store(string name) => _task.Stores[name].Inner;

    /// <summary>One round: applies committed changelog data up to the last stable offsets in
    /// <paramref name="extents"/>, at most about <paramref name="maxRecordsPerStore"/> per store. Returns the records applied.</summary>
    public long CatchUp(IChangelogReader reader, IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents, long maxRecordsPerStore)
    {
        var applied = new TaskRestorer(_task, reader).CatchUp(extents, maxRecordsPerStore);
        Lag = _task.LoggedStores.Sum(s => Math.Max(0, extents[(s.ChangelogTopic!, s.Partition)].Stable - (s.Inner.Checkpoint?.ChangelogNextOffset ?? 0)));
        return applied;
    }

    /// <summary>Closes the stores (their data and checkpoints stay on disk for the task's next owner here).</summary>
    public void Dispose() => _task.Dispose();
}
