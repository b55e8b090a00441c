using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.Processing;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// Restores a task's stores from their changelogs so that every store ends at the task's last committed transaction
/// (the primary store's last marker; a store that transaction did not write ends at the last commit that wrote it), and
/// says which input offsets belong to that state.
/// </summary>
/// <remarks>
/// Rules (design note: engine/PrimeBroker.Streams.Engine/EXACTLY-ONCE.md):
/// <list type="number">
/// <item>Before reading anything, each store's changelog is checked and waited for: a log whose head is gone fails with
/// <see cref="ChangelogTruncatedException"/>; a local store ahead of the log's read_uncommitted end means the changelog
/// was deleted or recreated (fails); otherwise the restore waits until the last stable offset reaches that end, so the
/// markers of a transaction committed just before (by this thread, or by the previous owner) are in the log and every
/// transaction the restore reads is complete. A transaction still open after the reader's stable-offset timeout fails
/// the restore with a <see cref="TimeoutException"/> (transient: the task is retried).</item>
/// <item>Where the reader returns committed records only (<see cref="IChangelogReader.CommittedOnly"/>, a real
/// cluster), records are applied in chunks of at most <see cref="MaxChunkRecords"/> records or
/// <see cref="MaxChunkBytes"/> bytes, each with the newest checkpoint read so far; the last chunk carries the last
/// marker's checkpoint. Memory stays bounded even on a compacted changelog where one marker is left for the whole
/// store. A crash mid-restore leaves data past the local checkpoint; the next restore replays from the checkpoint, which
/// rewrites the same values in the same order.</item>
/// <item>Otherwise (the embedded cluster shows aborted and open transactions' records) records between two markers are
/// one transaction and are applied, as one atomic local batch with the marker's checkpoint, only when their marker is
/// read. The last complete transaction of each store is held back until all stores are read: the task's primary (first
/// logged) store gets a marker in every commit, last, so its last marker is the target. A commit marks only the
/// secondary stores it writes, so another store's last marker is the target's attempt, an older commit (both applied:
/// <see cref="NotAfter"/>), or an attempt after the target that never committed, which is dropped.</item>
/// <item>Records after the last marker never committed: they are skipped and their keys repaired by the task's next
/// commit.</item>
/// </list>
/// </remarks>
internal sealed class TaskRestorer
{
    /// <summary>Most records one local batch of a chunked restore holds.</summary>
    internal const int MaxChunkRecords = 10_000;

    /// <summary>Most key and value bytes one local batch of a chunked restore holds (a chunk ends after the record that
    /// crosses it).</summary>
    internal const long MaxChunkBytes = 16 * 1024 * 1024;

    /// <summary>Most changelog offsets a restore reads in one go into memory (<see cref="IChangelogReader.ReadMany"/>);
    /// a longer restore reads store after store. A task caught up before its restore (TaskManager's warm-up) reads a
    /// tail far below this.</summary>
    internal const long MaxReadTogetherOffsets = 100_000;

    private readonly StreamTask _task;
    private IChangelogReader _reader;

    public TaskRestorer(StreamTask task, IChangelogReader reader)
    {
        _task = task;
        _reader = reader;
    }

    /// <summary>Whether the last <see cref="CatchUp"/> stopped some store at its record limit before the end.</summary>
    public bool StoppedAtLimit { get; private set; }

    public StoreCheckpoint Restore()
    {
        var logged = _task.LoggedStores;
        if (logged.Count == 0)
        {
            return _task.Stores.Values.Select(s => s.Inner.Checkpoint?.Checkpoint).FirstOrDefault(c => c is not null) ?? StoreCheckpoint.Empty;
        }

        // Check and wait for every store before applying anything, so a failed check leaves every store as it was.
        var ranges = logged.Select(StableRange).ToList();
        var reader = _reader;
        _reader = ReadTogether(ranges) ?? reader;
        try
        {
            return _reader.CommittedOnly ? RestoreCommittedOnly(ranges) : RestoreBufferingTransactions(ranges);
        }
        finally
        {
            _reader = reader;
        }
    }

    /// <summary>Reads every store's range in one go (on a Kafka cluster one assignment: each fetch returns a batch of
    /// every partition, where store after store costs a fetch round trip per batch of each) when they are short
    /// together; null when they are not, or the read did not reach every end in time (store after store then).</summary>
    private BufferedChangelogReader? ReadTogether(IReadOnlyList<ReadRange> ranges)
    {
        var toRead = ranges.Where(r => r.End > r.Start).ToList();
        if (toRead.Count < 2 || toRead.Sum(r => r.End - r.Start) > MaxReadTogetherOffsets)
        {
            return null;
        }

        var batches = _reader.ReadMany(toRead.Select(r => new ChangelogRange(r.Store.ChangelogTopic!, r.Store.Partition, r.Start, r.End)).ToList(),
            long.MaxValue, _reader.StableOffsetTimeout);
        return batches.Values.All(b => b.Complete) ? new BufferedChangelogReader(_reader, batches) : null;
    }

    /// <summary>
    /// For a standby task: applies, store by store, the committed transactions of each store's changelog from the
    /// store's local position up to the last stable offset in <paramref name="extents"/> (read once for the round, no
    /// wait for open transactions; a store without an entry is left for another round), stopping at the first marker
    /// after about <paramref name="maxRecordsPerStore"/> records. Returns the changelog records applied.
    /// </summary>
    /// <remarks>
    /// The same reading code as <see cref="Restore"/> (rules 1, 3 and 4 of the type's remarks), one rule stricter: where
    /// the reader shows uncommitted records, the primary's last complete transaction is never applied (the owner may
    /// still be writing or repairing it), and a secondary store's transactions are applied only up to the last one at or
    /// before the newest primary marker known to be in the log (<see cref="ReadSecondary"/>), which is the target of any
    /// later restore or older than it. So a standby applies a prefix of what any later restore applies, each store with
    /// the checkpoint of its last applied marker, and a restore from those checkpoints ends exactly where a restore from
    /// nothing would. Nothing is repaired and nothing counted as skipped: a standby never commits, and the records it
    /// did not apply are read again in its next round. Each round applies at least one transaction per store that has
    /// two complete ones, so a transaction larger than the limit cannot stall it.
    /// </remarks>
    /// <exception cref="ChangelogTruncatedException">The log no longer holds the store's local position.</exception>
    public long CatchUp(IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents, long maxRecordsPerStore)
    {
        var before = _task.RestoredRecords;
        var logged = _task.LoggedStores;
        // The newest primary marker known to be in the log: the primary's local checkpoint, or the last marker this round
        // reads of it (the primary is the first logged store, so it is read first).
        var bound = logged.Count == 0 ? StoreCheckpoint.Empty : logged[0].Inner.Checkpoint?.Checkpoint ?? StoreCheckpoint.Empty;
        foreach (var store in logged)
        {
            if (!extents.TryGetValue((store.ChangelogTopic!, store.Partition), out var extent))
            {
                continue; // not part of this round
            }

            var range = CommittedRange(store, extent);
            if (_reader.CommittedOnly)
            {
                ApplyInChunks(range, maxRecordsPerStore, standby: true);
            }
            else if (store == logged[0])
            {
                var primary = ReadStore(range, maxRecordsPerStore);
                bound = primary.HeldBack?.Checkpoint ?? primary.LastApplied;
            }
            else
            {
                ReadSecondary(range, bound, maxRecordsPerStore);
            }
        }

        return _task.RestoredRecords - before;
    }

    /// <summary>A standby's read range: from the store's local position to the last stable offset read for the round.
    /// A position past that offset reads nothing (right after this instance committed the task itself, the markers of
    /// its last transaction can still be on their way); a recreated changelog is for the next restore to detect.</summary>
    private static ReadRange CommittedRange(TransactionalBytesStore store, (long Start, long Stable) extent)
    {
        var start = store.Inner.Checkpoint?.ChangelogNextOffset ?? 0;
        if (extent.Start > start)
        {
            throw new ChangelogTruncatedException(store.Name, store.ChangelogTopic!, store.Partition, start, extent.Start);
        }

        return new ReadRange(store, start, Math.Max(start, extent.Stable));
    }

    /// <summary>Where a store's restore starts (its local changelog position) and ends (a last stable offset at or past
    /// the read_uncommitted end seen first).</summary>
    private ReadRange StableRange(TransactionalBytesStore store)
    {
        var topic = store.ChangelogTopic!;
        var start = store.Inner.Checkpoint?.ChangelogNextOffset ?? 0;
        var logStart = _reader.LogStartOffset(topic, store.Partition);
        if (logStart > start)
        {
            throw new ChangelogTruncatedException(store.Name, topic, store.Partition, start, logStart);
        }

        // The read_uncommitted end tells a recreated changelog (shorter than what this store has applied) from a last
        // stable offset that lags it: the markers of a commit land in the log after CommitTransaction returns.
        var logEnd = _reader.LogEndOffset(topic, store.Partition);
        if (start > logEnd)
        {
            // The local store has seen records the log no longer has: the topic was deleted and recreated. A later
            // restore elsewhere would build less than this store holds, so stop rather than diverge silently.
            throw new InvalidOperationException(
                $"Task {_task.Id}: store '{store.Name}' holds changelog records up to offset {start - 1} but {topic} [{store.Partition}] ends at {logEnd} " +
                "(read_uncommitted); the changelog was deleted or recreated. Delete the task's state directory to rebuild from what the log holds, or restore the topic.");
        }

        var stable = _reader.WaitForStableOffset(topic, store.Partition, logEnd);
        if (stable < logEnd)
        {
            throw new TimeoutException(
                $"Task {_task.Id}: store '{store.Name}': the last stable offset of {topic} [{store.Partition}] stayed at {stable}, below the log end {logEnd}, " +
                $"for {_reader.StableOffsetTimeout.TotalSeconds:0.#} s. A transaction there is still open (a previous owner's, until the broker aborts it after " +
                "the transaction timeout) or its commit markers are late; restoring now could miss a committed transaction, so the task is retried.");
        }

        _task.RestoreProgress?.Begin(store, start, Math.Max(start, stable));
        return new ReadRange(store, start, Math.Max(start, stable));
    }

    private StoreCheckpoint RestoreCommittedOnly(IReadOnlyList<ReadRange> ranges)
    {
        var results = ranges.Select(r => ApplyInChunks(r)).ToList();
        var target = results[0];
        foreach (var result in results.Skip(1))
        {
            if (!NotAfter(result.Checkpoint, target.Checkpoint))
            {
                // This reader shows committed transactions only, and every committed transaction carries the primary's
                // marker; a secondary store's last marker can be older than the primary's (a commit marks only the stores
                // it wrote) but never newer.
                throw Disagree(result.Store, result.Checkpoint, target.Store, target.Checkpoint);
            }
        }

        return target.Checkpoint;
    }

    /// <summary>
    /// Whether a secondary store whose last applied or held-back marker is <paramref name="marker"/> may end there while
    /// the task restores to the primary's <paramref name="target"/>: the marker is the target's own attempt, or an older
    /// commit (a commit marks only the stores it writes, so a store left clean keeps the marker of the last commit that
    /// wrote it). A marker of the target's sequence from another attempt, or of a later sequence, belongs to an attempt
    /// after the target that did not commit.
    /// </summary>
    /// <remarks>Why an older marker is committed state (EXACTLY-ONCE.md, "Restore rules"): an attempt that wrote a store
    /// and did not commit leaves that store's keys to repair (its own rollback, or the restore after a crash, an unknown
    /// outcome or fencing, which drops the attempt), so the store is written, and marked, again by the task's next
    /// attempt that reaches its primary marker. A store whose last marker is older than the primary's was therefore
    /// last written by an attempt that the task went on from.</remarks>
    internal static bool NotAfter(StoreCheckpoint marker, StoreCheckpoint target) =>
        marker.CommitSequence < target.CommitSequence || marker.SameCommit(target);

    /// <param name="range">What to read.</param>
    /// <param name="limit">Stop at the first marker after this many records (a standby's round).</param>
    /// <param name="standby">A standby's read: records after the last marker are not repaired or counted as skipped.</param>
    private ChunkedResult ApplyInChunks(ReadRange range, long limit = long.MaxValue, bool standby = false)
    {
        var store = range.Store;
        var topic = store.ChangelogTopic!;
        var local = store.Inner.Checkpoint ?? new LocalCheckpoint(StoreCheckpoint.Empty, range.Start);
        var markerSinceApply = false;
        var chunk = new List<KeyValuePair<byte[], byte[]?>>();
        long chunkBytes = 0;
        var committedInChunk = 0; // records of the chunk up to its last marker
        var tailStart = -1L;
        long read = 0;
        foreach (var record in _reader.Read(topic, store.Partition, range.Start, range.End))
        {
            if (record.IsMarker)
            {
                local = new LocalCheckpoint(StoreCheckpoint.Decode(record.Value), record.Offset + 1);
                markerSinceApply = true;
                committedInChunk = chunk.Count;
                tailStart = -1;
                if (read >= limit)
                {
                    StoppedAtLimit = true;
                    break;
                }

                continue;
            }

            read++;
            chunk.Add(new(record.Key, record.Value));
            chunkBytes += record.Key.Length + (record.Value?.Length ?? 0);
            if (tailStart < 0)
            {
                tailStart = record.Offset;
            }

            if (chunk.Count >= MaxChunkRecords || chunkBytes >= MaxChunkBytes)
            {
                // Committed data (this reader shows nothing else); the checkpoint stays at the newest marker read, so a
                // crash here makes the next restore replay this chunk over itself.
                ApplyChunk(store, chunk, local);
                markerSinceApply = false;
                chunk = new List<KeyValuePair<byte[], byte[]?>>();
                chunkBytes = 0;
                committedInChunk = 0;
            }
        }

        // The last chunk ends at the last marker and carries its checkpoint; records after it have no marker.
        var last = committedInChunk == chunk.Count ? chunk : chunk.GetRange(0, committedInChunk);
        if (last.Count > 0 || markerSinceApply)
        {
            ApplyChunk(store, last, local);
        }

        if (tailStart >= 0 && !standby)
        {
            // Cannot come from this engine's commits (each transaction ends with its marker, and this reader shows
            // committed transactions only); repaired as on the embedded cluster so every later restore agrees.
            store.AddRepairKeys(_reader.Read(topic, store.Partition, tailStart, range.End).Where(r => !r.IsMarker).Select(r => r.Key));
            _task.SkippedUncommittedRecords += chunk.Count - last.Count;
        }

        return new ChunkedResult(store, local.Checkpoint);
    }

    private void ApplyChunk(TransactionalBytesStore store, List<KeyValuePair<byte[], byte[]?>> records, LocalCheckpoint checkpoint)
    {
        store.Inner.Apply(records, checkpoint);
        _task.RestoredRecords += records.Count;
        _task.RestoreProgress?.Applied(store, records.Count, checkpoint.ChangelogNextOffset);
    }

    private StoreCheckpoint RestoreBufferingTransactions(IReadOnlyList<ReadRange> ranges)
    {
        // The primary first: its last marker is the target, and every transaction of it is applied.
        var primary = ReadStore(ranges[0]);
        var target = primary.HeldBack?.Checkpoint ?? primary.LastApplied;
        if (primary.HeldBack is { } last)
        {
            Apply(primary.Store, last);
        }

        SkipTail(primary.Store, primary.Tail);
        foreach (var range in ranges.Skip(1))
        {
            // Every transaction up to the last one at or before the target is applied; those after it are attempts that
            // never committed (their primary marker never arrived): dropped, their keys repaired by the next commit.
            var result = ReadSecondary(range, target);
            if (!NotAfter(result.LastApplied, target))
            {
                throw Disagree(result.Store, result.LastApplied, primary.Store, target);
            }

            foreach (var dropped in result.After)
            {
                result.Store.AddRepairKeys(dropped.Records.Select(r => r.Key));
                _task.SkippedUncommittedRecords += dropped.Records.Count + 1;
            }

            SkipTail(result.Store, result.Tail);
        }

        return target;
    }

    private void SkipTail(TransactionalBytesStore store, IReadOnlyList<byte[]> tail)
    {
        store.AddRepairKeys(tail);
        _task.SkippedUncommittedRecords += tail.Count;
    }

    /// <summary>Reads a secondary store's range and applies every complete transaction up to the last one that is
    /// <see cref="NotAfter"/> <paramref name="bound"/> (a marker of the task's primary store that is in the log: the
    /// restore's target, or for a catch-up the newest primary marker it has seen); the transactions after that one are
    /// held back (returned, not applied).</summary>
    /// <remarks>Commit sequences never decrease along a store's changelog (a task retries the sequence of an attempt that
    /// did not commit, and restores to the primary's last marker, which is at most one below any attempt it made), and
    /// an attempt of the bound's sequence other than the bound is followed by the bound's own transaction when it came
    /// before it (its rollback left repair keys), so the transactions after the bound form a tail. A held-back
    /// transaction of a later sequence followed by one at or before the bound contradicts this: the changelog was
    /// altered, and the restore stops.</remarks>
    /// <param name="range">What to read.</param>
    /// <param name="bound">The primary marker the applied transactions must not be after.</param>
    /// <param name="limit">Stop at the first marker after this many records once a transaction was applied (a
    /// catch-up round).</param>
    private SecondaryRestore ReadSecondary(ReadRange range, StoreCheckpoint bound, long limit = long.MaxValue)
    {
        var store = range.Store;
        var lastApplied = store.Inner.Checkpoint?.Checkpoint ?? StoreCheckpoint.Empty;
        var held = new List<Group>();
        var pending = new List<ChangelogRecord>();
        long read = 0;
        foreach (var record in _reader.Read(store.ChangelogTopic!, store.Partition, range.Start, range.End))
        {
            if (!record.IsMarker)
            {
                pending.Add(record);
                read++;
                continue;
            }

            var group = new Group(pending, StoreCheckpoint.Decode(record.Value), record.Offset);
            pending = new List<ChangelogRecord>();
            held.Add(group);
            if (!NotAfter(group.Checkpoint, bound))
            {
                continue;
            }

            foreach (var before in held)
            {
                if (before.Checkpoint.CommitSequence > bound.CommitSequence)
                {
                    throw Disagree(store, before.Checkpoint, _task.LoggedStores[0], bound);
                }

                Apply(store, before);
            }

            lastApplied = group.Checkpoint;
            held.Clear();
            if (read >= limit)
            {
                StoppedAtLimit = true;
                break;
            }
        }

        return new SecondaryRestore(store, lastApplied, held, pending.Select(r => r.Key).ToList());
    }

    /// <summary>Reads a store's range and applies every complete transaction but the last, which it holds back.</summary>
    /// <param name="range">What to read.</param>
    /// <param name="limit">Stop at the first marker after this many records once a transaction was applied (a
    /// standby's round).</param>
    private StoreRestore ReadStore(ReadRange range, long limit = long.MaxValue)
    {
        var store = range.Store;
        var lastApplied = store.Inner.Checkpoint?.Checkpoint ?? StoreCheckpoint.Empty;
        Group? heldBack = null;
        var pending = new List<ChangelogRecord>();
        long read = 0;
        var appliedAny = false;
        foreach (var record in _reader.Read(store.ChangelogTopic!, store.Partition, range.Start, range.End))
        {
            if (!record.IsMarker)
            {
                pending.Add(record);
                read++;
                continue;
            }

            if (heldBack is not null)
            {
                Apply(store, heldBack);
                lastApplied = heldBack.Checkpoint;
                appliedAny = true;
            }

            heldBack = new Group(pending, StoreCheckpoint.Decode(record.Value), record.Offset);
            pending = new List<ChangelogRecord>();
            if (appliedAny && read >= limit)
            {
                StoppedAtLimit = true;
                break;
            }
        }

        return new StoreRestore(store, lastApplied, heldBack, pending.Select(r => r.Key).ToList());
    }

    private void Apply(TransactionalBytesStore store, Group group) =>
        ApplyChunk(store, group.Records.Select(r => new KeyValuePair<byte[], byte[]?>(r.Key, r.Value)).ToList(), new LocalCheckpoint(group.Checkpoint, group.MarkerOffset + 1));

    private InvalidOperationException Disagree(TransactionalBytesStore store, StoreCheckpoint at, TransactionalBytesStore primary, StoreCheckpoint target) =>
        new($"Task {_task.Id}: store '{store.Name}' ends at commit {Describe(at)} but the task's primary store '{primary.Name}' ends at commit " +
            $"{Describe(target)}. A store may end at an older commit than the primary (a commit marks only the stores it writes) or, where readers see " +
            "uncommitted records, hold attempts after it that never committed (dropped), but not this. Delete the task's state directory and check that the changelogs " +
            "were not altered.");

    private static string Describe(StoreCheckpoint c) => $"#{c.CommitSequence} (attempt {c.Attempt:x})";

    private sealed record ReadRange(TransactionalBytesStore Store, long Start, long End);

    private sealed record ChunkedResult(TransactionalBytesStore Store, StoreCheckpoint Checkpoint)
    {
        public bool SameCommit(ChunkedResult other) => Checkpoint.SameCommit(other.Checkpoint);
    }

    private sealed record Group(IReadOnlyList<ChangelogRecord> Records, StoreCheckpoint Checkpoint, long MarkerOffset);

    private sealed record StoreRestore(TransactionalBytesStore Store, StoreCheckpoint LastApplied, Group? HeldBack, IReadOnlyList<byte[]> Tail);

    private sealed record SecondaryRestore(TransactionalBytesStore Store, StoreCheckpoint LastApplied, IReadOnlyList<Group> After, IReadOnlyList<byte[]> Tail);
}
