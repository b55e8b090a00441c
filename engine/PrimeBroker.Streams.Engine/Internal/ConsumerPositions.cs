using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// Moves a stream thread's fetch positions and pauses and resumes its partitions. Pauses and resumes asked for inside a
/// rebalance callback are applied at the top of the next loop, once the assignment is in place. Stream thread only.
/// </summary>
internal sealed class ConsumerPositions
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly TaskManager _tasks;
    private readonly bool _cooperative;

    public ConsumerPositions(IConsumer<byte[], byte[]> consumer, TaskManager tasks, bool cooperative)
    {
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
