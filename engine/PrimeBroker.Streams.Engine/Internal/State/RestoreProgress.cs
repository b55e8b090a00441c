using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// The restore of one active task, store by store: tells the <see cref="IStateRestoreListener"/> and keeps, for the
/// health answer and the gauge <c>kafka.streams.restore_remaining_records</c>, how many changelog offsets each store still
/// has to read. Created when the task opens for a restore (standby tasks have none); fed by the restorer's calls
/// (<see cref="Begin"/>, <see cref="Applied"/>), the catch-up rounds (<see cref="Observe"/>) and the task's start
/// (<see cref="Complete"/>) or close (<see cref="Suspend"/>).
/// </summary>
/// <remarks>Written on the stream thread that restores the task; <see cref="Remaining"/>, <see cref="RemainingByStore"/>
/// and <see cref="Finished"/> are read from any thread. Remaining is the store's end offset minus its restored position
/// (its checkpoint's), at least 0: commit markers and control records count as offsets (Kafka Streams'
/// <c>restore-remaining-records-total</c> is offsets as well).</remarks>
internal sealed class RestoreProgress
{
    private readonly TaskId _task;
    private readonly IReadOnlyList<TransactionalBytesStore> _stores;
    private readonly IStateRestoreListener? _listener;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, StoreRestore> _begun = new();
    private volatile bool _finished;
    private bool _finishing; // stream thread only

    /// <param name="task">The task.</param>
    /// <param name="stores">Its logged stores (those that restore).</param>
    /// <param name="listener">The application's listener, or null.</param>
    /// <param name="logger">Where a listener's exception is logged.</param>
    public RestoreProgress(TaskId task, IReadOnlyList<TransactionalBytesStore> stores, IStateRestoreListener? listener, ILogger logger)
    {
        _task = task;
        _stores = stores;
        _listener = listener;
        _logger = logger;
    }

    /// <summary>The task.</summary>
    public TaskId Task => _task;

    /// <summary>Whether the restore completed or was suspended (nothing more is reported).</summary>
    public bool Finished => _finished;

    /// <summary>Changelog offsets still to read, summed over the stores whose restore began; -1 before any began.</summary>
    public long Remaining => _begun.IsEmpty ? -1 : _begun.Values.Sum(s => s.Remaining);

    /// <summary>Per store whose restore began: changelog offsets still to read (a snapshot).</summary>
    public IReadOnlyList<(string Store, long Remaining)> RemainingByStore => [.. _begun.Values.Select(s => (s.Name, s.Remaining))];

    /// <summary>A catch-up round read the last stable offsets: begins every store with an entry (start: its local
    /// position) or moves its end.</summary>
    public void Observe(IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents)
    {
        foreach (var store in _stores)
        {
            if (extents.TryGetValue((store.ChangelogTopic!, store.Partition), out var extent))
            {
                var position = store.Inner.Checkpoint?.ChangelogNextOffset ?? 0;
                Begin(store, position, Math.Max(position, extent.Stable));
            }
        }
    }

    /// <summary>The restore of <paramref name="store"/> reads from <paramref name="start"/> to <paramref name="end"/>:
    /// the first call for the store tells the listener; a later one (the restore proper after the catch-up rounds) only
    /// moves the end.</summary>
    public void Begin(TransactionalBytesStore store, long start, long end)
    {
        if (_finishing)
        {
            return;
        }

        if (_begun.TryGetValue(store.Name, out var begun))
        {
            begun.MoveEnd(end);
            return;
        }

        _begun[store.Name] = new StoreRestore(store.Name, new TopicPartition(store.ChangelogTopic!, store.Partition), start, end);
        Tell(store.Name, l => l.OnRestoreStart(new TopicPartition(store.ChangelogTopic!, store.Partition), store.Name, start, end));
    }

    /// <summary><paramref name="records"/> records were applied to <paramref name="store"/>, whose checkpoint is now at
    /// <paramref name="nextOffset"/>. A batch of no records (a commit marker only) moves the position without a call.</summary>
    public void Applied(TransactionalBytesStore store, long records, long nextOffset)
    {
        if (_finishing || !_begun.TryGetValue(store.Name, out var begun))
        {
            return;
        }

        begun.Applied(records, nextOffset);
        if (records > 0)
        {
            Tell(store.Name, l => l.OnBatchRestored(begun.Changelog, store.Name, nextOffset - 1, records));
        }
    }

    /// <summary>The task's restore completed: every store that began ends (remaining 0).</summary>
    public void Complete() => Finish(completed: true);

    /// <summary>The task closed before its restore completed: every store that began is suspended. Nothing after
    /// <see cref="Complete"/>.</summary>
    public void Suspend() => Finish(completed: false);

    private void Finish(bool completed)
    {
        if (_finishing)
        {
            return;
        }

        _finishing = true;
        foreach (var begun in _begun.Values)
        {
            if (completed)
            {
                begun.Done();
            }
        }

        // The gauge and the health answer show the stores at 0 while the listener hears of the end, and drop them after.
        foreach (var begun in _begun.Values)
        {
            if (completed)
            {
                Tell(begun.Name, l => l.OnRestoreEnd(begun.Changelog, begun.Name, begun.Restored));
            }
            else
            {
                Tell(begun.Name, l => l.OnRestoreSuspended(begun.Changelog, begun.Name, begun.Restored));
            }
        }

        _finished = true;
    }

    private void Tell(string store, Action<IStateRestoreListener> call)
    {
        if (_listener is null)
        {
            return;
        }

        try
        {
            call(_listener);
        }
        catch (Exception ex)
        {
            // The listener observes the restore; its failure must not stop the task or the thread.
            _logger.RestoreListenerFailed(_task.ToString(), store, ex);
        }
    }

    /// <summary>One store's restore: written on the restoring thread, read from any.</summary>
    private sealed class StoreRestore(string name, TopicPartition changelog, long start, long end)
    {
        private long _position = start;
        private long _end = end;
        private long _restored;

        public string Name { get; } = name;

        public TopicPartition Changelog { get; } = changelog;

        public long Restored => Interlocked.Read(ref _restored);

        public long Remaining => Math.Max(0, Interlocked.Read(ref _end) - Interlocked.Read(ref _position));

        public void MoveEnd(long end) => Interlocked.Exchange(ref _end, Math.Max(end, Interlocked.Read(ref _position)));

        public void Applied(long records, long nextOffset)
        {
            Interlocked.Add(ref _restored, records);
            Interlocked.Exchange(ref _position, Math.Max(nextOffset, Interlocked.Read(ref _position)));
        }

        /// <summary>Completed: the restore read to its end, so nothing remains whatever the offsets said.</summary>
        public void Done() => Interlocked.Exchange(ref _position, Interlocked.Read(ref _end));
    }
}
