using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>The task's part of the commit protocol (driven by <see cref="TaskCommitter"/>) and its rollback after an
/// aborted transaction.</summary>
internal sealed partial class StreamTask
{
    /// <summary>Commit step: the transaction's changelog records of every logged store. Returns how many were sent.</summary>
    public int WriteChangelogRecords()
    {
        var sent = 0;
        foreach (var store in _loggedStores)
        {
            foreach (var (key, value) in store.ChangelogWrites())
            {
                _env.Collector.Send(store.ChangelogTopic!, store.Partition, key, value, null, WallClockMs);
                sent++;
            }
        }

        return sent;
    }

    /// <summary>The checkpoint this commit will record: next sequence, current input positions.</summary>
    public StoreCheckpoint NextCheckpoint(long attempt) =>
        new(_committed.CommitSequence + 1, new Dictionary<TopicPartition, long>(_nextOffsets), attempt)
        {
            Upstream = _upstream.Snapshot(),
        };

    /// <summary>The logged stores this commit marks: the primary (first) store always, since its marker carries the
    /// task's input position, and every other store the commit writes changelog records to (uncommitted writes or
    /// repairs). Empty for a task without changelog. Call after <see cref="WriteChangelogRecords"/>, before
    /// <see cref="ApplyCommitted"/>.</summary>
    public IReadOnlyList<TransactionalBytesStore> StoresToMark()
    {
        var marked = new List<TransactionalBytesStore>(_loggedStores.Count);
        for (var i = 0; i < _loggedStores.Count; i++)
        {
            if (i == 0 || _loggedStores[i].IsDirty)
            {
                marked.Add(_loggedStores[i]);
            }
        }

        return marked;
    }

    /// <summary>Commit step: the commit marker of one store (see <see cref="CommitMarkers"/>).</summary>
    public void WriteMarker(TransactionalBytesStore store, StoreCheckpoint checkpoint, Action<long> onDelivered) =>
        _env.Collector.Send(store.ChangelogTopic!, store.Partition, CommitMarkers.Key, checkpoint.Encode(), CommitMarkers.Headers, WallClockMs, onDelivered);

    /// <summary>Commit step after the Kafka transaction committed: one atomic local write for the task (one RocksDB batch
    /// over the families of its persistent stores): the data and new checkpoint of every store this commit marked, and
    /// the new checkpoint of every store without changelog. A logged store the commit did not mark is not written: its
    /// local checkpoint stays the marker of the last commit that wrote it and the changelog offset after that marker,
    /// exactly what a restore of its changelog would leave, and still where its changelog ends (the resume check).</summary>
    /// <param name="checkpoint">What was committed.</param>
    /// <param name="markerOffsets">The changelog offset of each marked store's marker (<see cref="StoresToMark"/>).</param>
    public void ApplyCommitted(StoreCheckpoint checkpoint, IReadOnlyDictionary<TransactionalBytesStore, long> markerOffsets)
    {
        var writes = new List<StoreWrite>(_stores.Count);
        foreach (var store in _stores.Values)
        {
            if (markerOffsets.TryGetValue(store, out var markerOffset))
            {
                writes.Add(store.CommittedWrite(new LocalCheckpoint(checkpoint, markerOffset + 1)));
            }
            else if (store.ChangelogTopic is null)
            {
                writes.Add(store.CommittedWrite(new LocalCheckpoint(checkpoint, store.Inner.Checkpoint?.ChangelogNextOffset ?? 0)));
            }
            else if (store.IsDirty)
            {
                throw new InvalidOperationException($"Task {Id}: store '{store.Name}' has uncommitted writes but got no commit marker.");
            }
        }

        _state.Commit(writes);
        foreach (var store in _stores.Values)
        {
            store.ClearCommitted();
        }

        _committed = checkpoint;
        _committedStreamTime = StreamTime;
        UncommittedRecords = 0;
        _collector.EndTransaction();
    }

    /// <summary>
    /// After an aborted transaction: forget uncommitted writes and positions. Returns the positions to seek the
    /// consumer back to (the last committed ones).
    /// </summary>
    public IReadOnlyDictionary<TopicPartition, long> Rollback()
    {
        foreach (var store in _stores.Values)
        {
            store.Rollback();
        }

        _nextOffsets.Clear();
        foreach (var (tp, offset) in _startPositions.Concat(_committed.InputOffsets))
        {
            _nextOffsets[tp] = offset;
        }

        _upstream.ResetTo(_committed.Upstream);
        UncommittedRecords = 0;
        _collector.EndTransaction();
        StreamTime = _committedStreamTime;
        if (_initialized)
        {
            // Processor fields, punctuation schedules and stream time belong to the aborted attempt as much as the
            // store overlays do: new node instances start from the committed state, as Kafka Streams re-initialises a
            // task it closed dirty.
            CloseNodes();
            _nodes.Clear();
            _sourcesByTopic.Clear();
            _punctuations = new PunctuationSchedule();
            Initialize();
        }

        return new Dictionary<TopicPartition, long>(_nextOffsets);
    }
}
