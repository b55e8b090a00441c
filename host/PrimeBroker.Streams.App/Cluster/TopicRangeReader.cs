using Confluent.Kafka;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>
/// Reads given partitions of one topic from given offsets up to end offsets read before (a <see cref="TopicExtent"/>),
/// for the host's group-less readers (dead letters, alerts, instruments). Shared so that each of them ends a partition the
/// same way and times out with the same message.
/// </summary>
internal static class TopicRangeReader
{
    /// <summary>Assigns <paramref name="from"/> and hands every record before the partition's end in
    /// <paramref name="ends"/> to <paramref name="onRecord"/>, in partition order.</summary>
    /// <remarks>A partition is done when the consumer's position reaches its end, which also passes transaction control
    /// records and compacted-away offsets (never returned as records), or when a partition-EOF event at or past the end
    /// arrives (for consumers that enable them). <paramref name="ends"/> is emptied as partitions finish.</remarks>
    /// <exception cref="TimeoutException">Not every partition was read to its end within <paramref name="timeout"/>.</exception>
    internal static void Read<TKey, TValue>(IConsumer<TKey, TValue> consumer, string topic, IEnumerable<TopicPartitionOffset> from,
        Dictionary<int, long> ends, TimeSpan timeout, CancellationToken cancellationToken, Action<ConsumeResult<TKey, TValue>> onRecord)
    {
        // The ends as read at the call: a record that arrives for a partition already done is still past its end.
        var limits = new Dictionary<int, long>(ends);
        consumer.Assign(from);
        var deadline = DateTime.UtcNow + timeout;
        while (ends.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Reading '{topic}' took longer than {timeout}.");
            }

            foreach (var partition in ends.Keys.ToList())
            {
                if (consumer.Position(new TopicPartition(topic, partition)).Value >= ends[partition])
                {
                    ends.Remove(partition);
                }
            }

            if (ends.Count == 0 || consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } result)
            {
                continue;
            }

            var partitionEnd = limits.GetValueOrDefault(result.Partition.Value, long.MinValue);
            if (result.IsPartitionEOF)
            {
                if (result.Offset.Value >= partitionEnd)
                {
                    // Done (again, harmlessly, if the position already said so).
                    ends.Remove(result.Partition.Value);
                }

                continue;
            }

            if (result.Offset.Value < partitionEnd)
            {
                onRecord(result);
            }
        }
    }
}
