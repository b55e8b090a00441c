using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Embedded;

public sealed class EmbeddedKafkaClusterTests
{
    [Fact]
    public async Task StartsWithThreeBrokersThatAnswerMetadata()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();

        Assert.Equal(3, cluster.BootstrapServers.Split(',').Length);
        Assert.All(cluster.BootstrapServers.Split(','), address => Assert.StartsWith("127.0.0.1:", address));
        var metadata = ClusterProbe.Metadata(cluster.BootstrapServers);
        Assert.Equal([1, 2, 3], metadata.Brokers.Select(b => b.BrokerId).Order());
    }

    [Fact]
    public async Task StartsWithTheConfiguredBrokerCount()
    {
        await using var cluster = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { BrokerCount = 1 });

        Assert.Single(ClusterProbe.Metadata(cluster.BootstrapServers).Brokers);
    }

    [Fact]
    public void RejectsInvalidOptionsBeforeStarting()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { BrokerCount = 0 }));
        Assert.Equal(nameof(EmbeddedKafkaClusterOptions.BrokerCount), e.ParamName);
    }

    [Fact]
    public async Task BindsTheMockApiToTheLibrdkafkaThatConfluentKafkaLoaded()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();

        Assert.NotNull(EmbeddedKafkaCluster.NativeLibraryPath);
        var mapped = File.ReadLines("/proc/self/maps")
            .Where(line => line.Contains("librdkafka.so", StringComparison.Ordinal))
            .Select(line => line[line.IndexOf('/')..].Trim())
            .Distinct()
            .ToList();
        Assert.Equal([EmbeddedKafkaCluster.NativeLibraryPath!], mapped);
    }

    [Fact]
    public async Task DeleteRecordsMovesTheLowWatermarkToTheGivenOffset()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var topic = ClusterProbe.UniqueTopic("truncate");
        cluster.CreateTopic(topic, partitions: 1, replicationFactor: 3);
        ClusterProbe.Produce(cluster.BootstrapServers, topic,
            Enumerable.Range(0, 10).Select(i => ($"k{i}", $"v{i}")), partition: 0);

        cluster.DeleteRecords(topic, partition: 0, beforeOffset: 4);

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = $"probe-{Guid.NewGuid():N}",
        }).Build();
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, new Partition(0)), ClusterProbe.Timeout);
        Assert.Equal(4, watermarks.Low.Value);
        Assert.Equal(10, watermarks.High.Value);
        var remaining = ClusterProbe.ConsumeFromBeginning(cluster.BootstrapServers, topic, count: 6);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => (long)i), remaining.Select(r => r.Offset.Value));
    }

    [Fact]
    public async Task DeleteRecordsBeyondTheEndOffsetIsRefusedWithOffsetOutOfRange()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var topic = ClusterProbe.UniqueTopic("truncate");
        cluster.CreateTopic(topic, partitions: 1, replicationFactor: 1);

        var e = Assert.Throws<KafkaException>(() => cluster.DeleteRecords(topic, partition: 0, beforeOffset: 1));
        Assert.Equal(ErrorCode.OffsetOutOfRange, e.Error.Code);
    }

    [Fact]
    public async Task CreatingAnExistingTopicIsRefusedWithTopicAlreadyExists()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("twice", partitions: 2, replicationFactor: 3);

        var e = Assert.Throws<KafkaException>(() => cluster.CreateTopic("twice", partitions: 2, replicationFactor: 3));
        Assert.Equal(ErrorCode.TopicAlreadyExists, e.Error.Code);
    }

    [Fact]
    public async Task DeletedTopicDisappearsFromMetadata()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("doomed", partitions: 2, replicationFactor: 3);
        Assert.Contains("doomed", ClusterProbe.PartitionCounts(cluster.BootstrapServers).Keys);

        cluster.DeleteTopic("doomed");

        Assert.DoesNotContain("doomed", ClusterProbe.PartitionCounts(cluster.BootstrapServers).Keys);
    }

    [Fact]
    public async Task MovedPartitionLeaderIsReportedInMetadata()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("led", partitions: 1, replicationFactor: 3);

        cluster.SetPartitionLeader("led", partition: 0, brokerId: 2);

        var partition = Assert.Single(ClusterProbe.Metadata(cluster.BootstrapServers).Topics.Single(t => t.Topic == "led").Partitions);
        Assert.Equal(2, partition.Leader);
    }

    [Fact]
    public async Task PushedProduceErrorFailsOnlyTheNextProduceRequest()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("refused", partitions: 1, replicationFactor: 3);
        const short produceApiKey = 0;

        cluster.PushRequestErrors(produceApiKey, ErrorCode.TopicAuthorizationFailed);

        // A fresh producer each time: librdkafka remembers a topic authorization error client-side.
        var e = await Assert.ThrowsAsync<ProduceException<string, string>>(() => ProduceOneAsync(cluster));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, e.Error.Code);
        Assert.Equal(PersistenceStatus.Persisted, (await ProduceOneAsync(cluster)).Status);
    }

    private static async Task<DeliveryResult<string, string>> ProduceOneAsync(EmbeddedKafkaCluster cluster)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            Partitioner = Partitioner.Murmur2Random,
        }).Build();
        return await producer.ProduceAsync("refused", new Message<string, string> { Key = "k", Value = "v" });
    }

    [Fact]
    public async Task ClientsCannotReachBrokersThatAreDownAndCanAfterTheyAreUp()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();

        cluster.SetBrokerDown(-1);
        Assert.ThrowsAny<KafkaException>(() => ClusterProbe.Metadata(cluster.BootstrapServers, TimeSpan.FromSeconds(2)));

        cluster.SetBrokerUp(-1);
        Assert.Equal(3, ClusterProbe.Metadata(cluster.BootstrapServers).Brokers.Count);
    }

    [Fact]
    public void MethodsThrowObjectDisposedExceptionAfterDispose()
    {
        var cluster = EmbeddedKafkaCluster.Start();
        cluster.Dispose();
        cluster.Dispose(); // idempotent

        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("late", 1, 1));
    }
}
