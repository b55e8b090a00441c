using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// A warm copy of a task that another instance runs: the task's stores, opened in the task's state directory exactly as
/// an active task opens them, kept up to date from the task's changelogs (<see cref="ChangelogCatchUp"/>). Its
/// processors never run and it never commits or serves queries. When this instance becomes the task's owner the
/// standby is closed first and the active task opens the same stores and restores only the tail after their
/// checkpoints.
/// </summary>
internal sealed class StandbyTask : IDisposable
{
    private readonly ChangelogCatchUp _catchUp;

    /// <param name="task">The task, constructed (stores opened) but neither restored nor initialized.</param>
    public StandbyTask(StreamTask task) => _catchUp = new ChangelogCatchUp(task);

    public TaskId Id => _catchUp.Id;

    /// <summary>Changelog records applied since the standby opened.</summary>
    public long AppliedRecords => _catchUp.AppliedRecords;

    /// <summary>See <see cref="ChangelogCatchUp.Lag"/>.</summary>
    public long Lag => _catchUp.Lag;

    /// <summary>The changelog partitions the standby reads.</summary>
    public IEnumerable<(string Topic, int Partition)> ChangelogPartitions => _catchUp.ChangelogPartitions;

    /// <summary>See <see cref="ChangelogCatchUp.Pending"/>.</summary>
    public IEnumerable<(string Topic, int Partition)> Pending => _catchUp.Pending;

    /// <summary>Each logged store's local checkpoint (null: nothing applied yet), for tests and logs.</summary>
    public IReadOnlyDictionary<string, LocalCheckpoint?> Checkpoints => _catchUp.Checkpoints;

    /// <summary>A store's committed bytes, for tests (a standby serves no queries).</summary>
    internal IBytesReader Store(string name) => _catchUp.Task.Stores[name].Inner;

    /// <summary>See <see cref="ChangelogCatchUp.Observe"/>.</summary>
    public void Observe(IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents) => _catchUp.Observe(extents);

    /// <summary>See <see cref="ChangelogCatchUp.Ranges"/>.</summary>
    public IEnumerable<ChangelogRange> Ranges(IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents) => _catchUp.Ranges(extents);

    /// <summary>See <see cref="ChangelogCatchUp.CatchUp"/>.</summary>
    /// <exception cref="ChangelogTruncatedException">A log no longer holds a store's position.</exception>
    public long CatchUp(IChangelogReader reader, IReadOnlyDictionary<(string Topic, int Partition), ChangelogBatch> batches,
        IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents) => _catchUp.CatchUp(reader, batches, extents);

    /// <summary>Closes the stores (their data and checkpoints stay on disk for the task's next owner here).</summary>
    public void Dispose() => _catchUp.Task.Dispose();
}
