using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// Counts, per input record, how often processing it aborted the transaction, so a deterministic error (an output or
/// dead-letter topic that does not exist, a record too large) stops its task after <see cref="MaxPerRecord"/> attempts
/// instead of livelocking the thread. Stream thread only.
/// </summary>
internal sealed class RepeatedAborts
{
    private readonly Dictionary<(TaskId, TopicPartition, long), int> _byRecord = new();

    /// <summary>How often one record may abort the transaction before its task stops.</summary>
    public const int MaxPerRecord = 3;

    /// <summary>Counts an abort caused while processing <paramref name="position"/>; returns how many it caused since it
    /// was first seen (the count is dropped once the record is committed).</summary>
    public int Count(TaskId task, TopicPartitionOffset position)
    {
        var key = (task, position.TopicPartition, position.Offset.Value);
        var count = _byRecord.GetValueOrDefault(key) + 1;
        _byRecord[key] = count;
        return count;
    }

    /// <summary>After a commit: a record that is committed now is past; one that still is not keeps its count (other
    /// tasks' commits do not make a deterministic error go away).</summary>
    public void ForgetCommitted(TaskManager tasks)
    {
        foreach (var (id, tp, offset) in _byRecord.Keys.ToList())
        {
            if (!tasks.TryGetTask(tp, out var task) || task.Id != id || task.CommittedPosition(tp) > offset)
            {
                _byRecord.Remove((id, tp, offset));
            }
        }
    }
}
