using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// Moves a stream thread's fetch positions and pauses and resumes its partitions. Pauses and resumes asked for inside a
/// rebalance callback are applied at the top of the next loop, once the assignment is in place. Stream thread only.
/// </summary>
internal sealed class ConsumerPositions
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly TaskManager _tasks;
    private readonly bool _cooperative;
    private readonly TimeSpan _timeout;

    public ConsumerPositions(IConsumer<byte[], byte[]> consumer, TaskManager tasks, bool cooperative, TimeSpan timeout)
    {
        _timeout = timeout;
        _consumer = consumer;
        _tasks = tasks;
        _cooperative = cooperative;
    }

    /// <summary>Partitions to pause once the assignment is in place (tasks that could not start).</summary>
    public List<TopicPartition> PauseAfterAssign { get; } = new();

    /// <summary>Partitions to resume once the assignment is in place: librdkafka keeps an application's pause across a
    /// re-assignment, so a task that runs again must be resumed.</summary>
    public List<TopicPartition> ResumeAfterAssign { get; } = new();

    /// <summary>Applies the pauses and resumes asked for since the last call.</summary>
    public void ApplyPending()
    {
        if (PauseAfterAssign.Count > 0)
        {
            _consumer.Pause(PauseAfterAssign);
            PauseAfterAssign.Clear();
        }

        if (ResumeAfterAssign.Count > 0)
        {
            var assigned = _consumer.Assignment.ToHashSet();
            _consumer.Resume(ResumeAfterAssign.Where(assigned.Contains).ToList());
            ResumeAfterAssign.Clear();
        }
    }

    /// <summary>
    /// Replaces the logical positions (the end) handed to the consumer for tasks that still have to restore by absolute
    /// ones: the group's committed offset, else the log start. librdkafka can finish a logical offset lookup after a
    /// later seek and fetch from there (confluentinc/librdkafka#2256): a seek after the restore would be undone and
    /// input skipped. The loop seeks to the task's real position once it is known. On an error the logical positions
    /// stay (one offset fetch and, where the group has no offset, one list-offsets request per partition).
    /// </summary>
    public List<TopicPartitionOffset> AbsolutePositions(List<TopicPartitionOffset> positions)
    {
        var logical = positions.Where(p => p.Offset.IsSpecial).Select(p => p.TopicPartition).ToList();
        if (logical.Count == 0)
        {
            return positions;
        }

        try
        {
            var committed = _consumer.Committed(logical, _timeout).ToDictionary(c => c.TopicPartition, c => c.Offset);
            return positions.Select(p => !p.Offset.IsSpecial ? p : new TopicPartitionOffset(p.TopicPartition,
                committed.TryGetValue(p.TopicPartition, out var c) && c.Value >= 0 ? c : _consumer.QueryWatermarkOffsets(p.TopicPartition, _timeout).Low)).ToList();
        }
        catch (KafkaException)
        {
            return positions;
        }
    }

    /// <summary>Moves fetch positions. A partition in an error state refuses a seek (Local_State); re-assigning the
    /// whole assignment with explicit positions resets every fetcher instead (under the cooperative protocol, which
    /// refuses a full Assign, the sought partitions are unassigned and assigned again incrementally).</summary>
    public void SeekAll(IReadOnlyCollection<TopicPartitionOffset> positions)
    {
        try
        {
            foreach (var position in positions)
            {
                _consumer.Seek(position);
            }
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State && _cooperative)
        {
            var partitions = positions.Select(p => p.TopicPartition).ToList();
            var paused = partitions.Where(tp => !_tasks.TryGetTask(tp, out _)).ToList();
            _consumer.IncrementalUnassign(partitions);
            _consumer.IncrementalAssign(positions);
            if (paused.Count > 0)
            {
                _consumer.Pause(paused);
            }
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
        {
            var wanted = positions.ToDictionary(p => p.TopicPartition, p => p.Offset);
            var assignment = _consumer.Assignment.Select(tp => new TopicPartitionOffset(tp,
                wanted.TryGetValue(tp, out var o) ? o : _tasks.TryGetTask(tp, out var t) && t.NextOffsets.TryGetValue(tp, out var n) ? n : Offset.Stored)).ToList();
            var paused = _consumer.Assignment.Where(tp => !_tasks.TryGetTask(tp, out _)).ToList();
            _consumer.Assign(assignment);
            if (paused.Count > 0)
            {
                _consumer.Pause(paused);
            }
        }
    }
}
