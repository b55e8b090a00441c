using Confluent.Kafka;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>What a read of a whole topic must cover: per non-empty partition its first offset and its end offset at
/// the time of the call. Shared by the readers that read a topic from its start to its current end.</summary>
internal sealed record TopicExtent(IReadOnlyList<TopicPartitionOffset> Starts, Dictionary<int, long> Ends)
{
    /// <summary>Reads the extent of <paramref name="topic"/>; throws if the topic does not exist.</summary>
    /// <remarks>Uses all-topics metadata: asking for one topic by name would auto-create it on clusters that allow that.</remarks>
    internal static TopicExtent Read<TKey, TValue>(IAdminClient admin, IConsumer<TKey, TValue> consumer, string topic, TimeSpan timeout)
    {
        var metadata = admin.GetMetadata(timeout).Topics.FirstOrDefault(t => t.Topic == topic && !t.Error.IsError)
            ?? throw new InvalidOperationException($"Topic '{topic}' does not exist; provision the topic catalog first.");
        var ends = new Dictionary<int, long>();
        var starts = new List<TopicPartitionOffset>();
        foreach (var p in metadata.Partitions)
        {
            var tp = new TopicPartition(topic, p.PartitionId);
            var marks = consumer.QueryWatermarkOffsets(tp, timeout);
            if (marks.High.Value > marks.Low.Value)
            {
                ends[p.PartitionId] = marks.High.Value;
                starts.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        return new TopicExtent(starts, ends);
    }
}
