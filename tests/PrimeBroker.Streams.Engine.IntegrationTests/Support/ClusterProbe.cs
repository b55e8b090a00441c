using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Support;

/// <summary>Small bounded helpers that look at a cluster from the outside, as any client would.</summary>
internal static class ClusterProbe
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    internal static Metadata Metadata(string bootstrapServers, TimeSpan? timeout = null)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        return admin.GetMetadata(timeout ?? Timeout);
    }

    /// <summary>Partition count per topic, for topics the metadata reports without error.</summary>
    internal static Dictionary<string, int> PartitionCounts(string bootstrapServers) =>
        Metadata(bootstrapServers).Topics
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count);

    internal static void Produce(string bootstrapServers, string topic, IEnumerable<(string Key, string Value)> records, int? partition = null)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Partitioner = Partitioner.Murmur2Random,
        };
        using var producer = new ProducerBuilder<string, string>(config).Build();
        var pending = new List<Task<DeliveryResult<string, string>>>();
        foreach (var (key, value) in records)
        {
            var message = new Message<string, string> { Key = key, Value = value };
            pending.Add(partition is { } p
                ? producer.ProduceAsync(new TopicPartition(topic, new Partition(p)), message)
                : producer.ProduceAsync(topic, message));
        }

        if (producer.Flush(Timeout) > 0 || !Task.WaitAll([.. pending], Timeout))
        {
            throw new TimeoutException($"Records to '{topic}' were not acknowledged within {Timeout.TotalSeconds} s.");
        }
    }

    /// <summary>Reads from the beginning until <paramref name="count"/> records arrived or the timeout elapsed; returns
    /// what arrived (the caller asserts the count, so a failure says how many came).</summary>
    internal static List<ConsumeResult<string, string>> ConsumeFromBeginning(string bootstrapServers, string topic, int count)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"probe-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Subscribe(topic);
        var received = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow + Timeout;
        while (received.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is not null && !result.IsPartitionEOF)
            {
                received.Add(result);
            }
        }

        consumer.Close();
        return received;
    }

    internal static string UniqueTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
