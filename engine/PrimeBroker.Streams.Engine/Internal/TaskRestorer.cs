using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.State.Internal;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// Restores a task's stores from their changelogs so that every store ends at the same committed transaction, and says
/// which input offsets belong to that state.
/// </summary>
/// <remarks>
/// Rules (design note: engine/PrimeBroker.Streams.Engine/EXACTLY-ONCE.md):
/// <list type="number">
/// <item>Records between two markers are one transaction; they are applied, as one atomic local batch with the marker's
/// checkpoint, only when their marker is read. Records after the last marker never committed: they are skipped and
/// their keys repaired by the task's next commit.</item>
/// <item>The last complete transaction of each store is held back until all stores are read. The task's primary (first
/// logged) store gets its marker last at commit time, so its last marker is the newest commit every store has;
/// another store whose last marker is newer than that holds an attempt that never committed and drops it.</item>
/// <item>Before reading, the log start offset is compared with the offset the restore needs; a log whose head is gone
/// fails the restore with <see cref="ChangelogTruncatedException"/> rather than build partial state.</item>
/// </list>
/// </remarks>
internal sealed class TaskRestorer
{
    private readonly StreamTask _task;
    private readonly IChangelogReader _reader;

    public TaskRestorer(StreamTask task, IChangelogReader reader)
    {
        _task = task;
        _reader = reader;
    }

    public StoreCheckpoint Restore()
    {
        var logged = _task.LoggedStores;
        if (logged.Count == 0)
        {
            return _task.Stores.Values.Select(s => s.Inner.Checkpoint?.Checkpoint).FirstOrDefault(c => c is not null) ?? StoreCheckpoint.Empty;
        }

        var results = logged.Select(ReadStore).ToList();
        var primary = results[0];
        var target = primary.HeldBack?.Checkpoint ?? primary.LastApplied;
        foreach (var result in results)
        {
            var store = result.Store;
            if (result.HeldBack is { } group && group.Checkpoint.SameCommit(target))
            {
                Apply(store, group);
            }
            else if (result.HeldBack is { } ahead && result.LastApplied.SameCommit(target))
            {
                // The primary's marker of this attempt never arrived: the attempt did not commit.
                store.AddRepairKeys(ahead.Records.Select(r => r.Key));
                _task.SkippedUncommittedRecords += ahead.Records.Count + 1;
            }
            else if (result.HeldBack is not null || !result.LastApplied.SameCommit(target))
            {
                throw new InvalidOperationException(
                    $"Task {_task.Id}: store '{store.Name}' ends at commit {Describe(result.HeldBack?.Checkpoint ?? result.LastApplied)} but the " +
                    $"task's primary store '{primary.Store.Name}' ends at commit {Describe(target)}; the changelogs disagree by more than one " +
                    "attempt, which the commit protocol cannot produce. Delete the task's state directory and check that the changelogs were not altered.");
            }

            store.AddRepairKeys(result.Tail);
            _task.SkippedUncommittedRecords += result.Tail.Count;
        }

        return target;
    }

    private StoreRestore ReadStore(TransactionalBytesStore store)
    {
        var topic = store.ChangelogTopic!;
        var local = store.Inner.Checkpoint;
        var start = local?.ChangelogNextOffset ?? 0;
        var logStart = _reader.LogStartOffset(topic, store.Partition);
        if (logStart > start)
        {
            throw new ChangelogTruncatedException(store.Name, topic, store.Partition, start, logStart);
        }

        var end = _reader.EndOffset(topic, store.Partition);
        if (start > end)
        {
            // The local store has seen records the log no longer has: the topic was deleted and recreated. A later
            // restore elsewhere would build less than this store holds, so stop rather than diverge silently.
            throw new InvalidOperationException(
                $"Task {_task.Id}: store '{store.Name}' holds changelog records up to offset {start - 1} but {topic} [{store.Partition}] ends at {end}; " +
                "the changelog was deleted or recreated. Delete the task's state directory to rebuild from what the log holds, or restore the topic.");
        }

        var lastApplied = local?.Checkpoint ?? StoreCheckpoint.Empty;
        Group? heldBack = null;
        var pending = new List<ChangelogRecord>();
        foreach (var record in _reader.Read(topic, store.Partition, start))
        {
            if (!record.IsMarker)
            {
                pending.Add(record);
                continue;
            }

            if (heldBack is not null)
            {
                Apply(store, heldBack);
                lastApplied = heldBack.Checkpoint;
            }

            heldBack = new Group(pending, StoreCheckpoint.Decode(record.Value), record.Offset);
            pending = new List<ChangelogRecord>();
        }

        return new StoreRestore(store, lastApplied, heldBack, pending.Select(r => r.Key).ToList());
    }

    private void Apply(TransactionalBytesStore store, Group group)
    {
        store.Inner.Apply(group.Records.Select(r => new KeyValuePair<byte[], byte[]?>(r.Key, r.Value)), new LocalCheckpoint(group.Checkpoint, group.MarkerOffset + 1));
        _task.RestoredRecords += group.Records.Count;
    }

    private static string Describe(StoreCheckpoint c) => $"#{c.CommitSequence} (attempt {c.Attempt:x})";

    private sealed record Group(IReadOnlyList<ChangelogRecord> Records, StoreCheckpoint Checkpoint, long MarkerOffset);

    private sealed record StoreRestore(TransactionalBytesStore Store, StoreCheckpoint LastApplied, Group? HeldBack, IReadOnlyList<byte[]> Tail);
}
