using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.Runtime;

namespace PrimeBroker.Streams.Engine.Testing;

// The driver's processing loop and its reactions to commit and processing failures, the way a stream thread reacts.
public sealed partial class TopologyTestDriver
{
    /// <summary>Runs the commit protocol, and reacts to its failures as the stream thread does: an abortable error
    /// aborts and rolls every task back (processing redoes the records); a commit whose outcome is unknown takes a new
    /// producer (fencing the old one's transaction) and closes every task dirty and restores it from the log.</summary>
    private void CommitTasks()
    {
        try
        {
            TaskCommitter.Commit(_tasks, _transaction, _metrics, new CommitOptions(GroupOffsetsForAll: true, UncommittedHidden: !_options.EmulateEmbeddedClusterLimits), out _,
                _crashAt is { } crashAt ? step => { if (step == crashAt) { throw new SimulatedCrash(); } } : null);
            _abortsByRecord.Clear(); // what aborted before is committed now
        }
        catch (KafkaException ex) when (ex is not IndefiniteTransactionException)
        {
            AbortAndRollback();
        }
        catch (IndefiniteTransactionException)
        {
            _metrics.RecordAbort();
            _transaction.RecreateProducer();
            foreach (var task in _tasks)
            {
                task.Dispose();
            }

            StartTasks();
        }
    }

    private void RunUntilIdle()
    {
        bool progressed;
        do
        {
            progressed = false;
            foreach (var task in _tasks)
            {
                foreach (var tp in task.InputPartitions)
                {
                    var from = task.NextOffsets.GetValueOrDefault(tp);
                    foreach (var (offset, record) in _cluster.Read(tp.Topic, tp.Partition, from).ToList())
                    {
                        if (!TryProcess(task, tp, offset, record))
                        {
                            progressed = true;
                            break;
                        }

                        progressed = true;
                    }
                }
            }

            if (!progressed && _options.AutoCommit && _tasks.Any(t => t.NeedsCommit) && HasBlockedInternalInput())
            {
                // A downstream task waits for repartition records that only a commit makes readable.
                CommitTasks();
                progressed = true;
            }
        }
        while (progressed);
    }

    /// <summary>Processes one record; false when it failed the transaction, which is then aborted and rolled back (a
    /// record that does so <see cref="RepeatedAborts.MaxPerRecord"/> times fails the caller, as it stops its task in
    /// a stream thread).</summary>
    private bool TryProcess(StreamTask task, TopicPartition tp, long offset, InMemoryCluster.StoredRecord record)
    {
        try
        {
            task.Process(new ConsumeResult<byte[], byte[]>
            {
                Topic = tp.Topic,
                Partition = tp.Partition,
                Offset = offset,
                Message = new Message<byte[], byte[]>
                {
                    Key = record.Key!,
                    Value = record.Value!,
                    Headers = record.Headers ?? new Headers(),
                    Timestamp = new Timestamp(record.Timestamp, TimestampType.CreateTime),
                },
            });
            return true;
        }
        catch (KafkaException ex) when (ex is not IndefiniteTransactionException)
        {
            var aborts = _abortsByRecord.GetValueOrDefault((tp, offset)) + 1;
            _abortsByRecord[(tp, offset)] = aborts;
            if (aborts >= RepeatedAborts.MaxPerRecord)
            {
                throw;
            }

            AbortAndRollback();
            return false;
        }
    }

    private void AbortAndRollback()
    {
        _metrics.RecordAbort();
        _transaction.Abort();
        foreach (var task in _tasks)
        {
            task.Rollback();
        }
    }

    private bool HasBlockedInternalInput() =>
        _tasks.SelectMany(t => t.InputPartitions.Select(tp => (t, tp)))
            .Any(x => _cluster.Topic(x.tp.Topic)[x.tp.Partition].End > x.t.NextOffsets.GetValueOrDefault(x.tp));
}
