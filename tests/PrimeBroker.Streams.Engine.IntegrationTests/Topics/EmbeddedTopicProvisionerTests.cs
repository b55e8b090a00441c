using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Topics;

public sealed class EmbeddedTopicProvisionerTests
{
    private static readonly TopicSpec[] s_specs =
    [
        new("orders", 6),
        new("fills", 3, 3, new Dictionary<string, string> { ["retention.ms"] = "1000" }),
    ];

    [Fact]
    public async Task CreatesMissingTopicsWithTheirPartitionCounts()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();

        await cluster.CreateTopicProvisioner().EnsureTopicsAsync(s_specs);

        var counts = ClusterProbe.PartitionCounts(cluster.BootstrapServers);
        Assert.Equal(6, counts["orders"]);
        Assert.Equal(3, counts["fills"]);
    }

    [Fact]
    public async Task SecondRunSucceedsAndLeavesTheTopicsAsTheyWere()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var provisioner = cluster.CreateTopicProvisioner();
        await provisioner.EnsureTopicsAsync(s_specs);

        await provisioner.EnsureTopicsAsync(s_specs);

        var counts = ClusterProbe.PartitionCounts(cluster.BootstrapServers);
        Assert.Equal(6, counts["orders"]);
        Assert.Equal(3, counts["fills"]);
    }

    [Fact]
    public async Task ExistingTopicWithAnotherPartitionCountRaisesTopicMismatchNamingTopicAndBothCounts()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("orders", partitions: 4, replicationFactor: 3);

        var e = await Assert.ThrowsAsync<TopicMismatchException>(() => cluster.CreateTopicProvisioner().EnsureTopicsAsync(s_specs));

        Assert.Equal("orders", e.Topic);
        Assert.Equal(6, e.ExpectedPartitions);
        Assert.Equal(4, e.ActualPartitions);
        Assert.Contains("'orders'", e.Message);
        Assert.Contains("4 partitions", e.Message);
        Assert.Contains("6 are expected", e.Message);
    }

    [Fact]
    public async Task CapsTheReplicationFactorAtTheBrokerCount()
    {
        await using var cluster = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { BrokerCount = 1 });

        await cluster.CreateTopicProvisioner().EnsureTopicsAsync([new TopicSpec("single", 2, replicationFactor: 3)]);

        var topic = ClusterProbe.Metadata(cluster.BootstrapServers).Topics.Single(t => t.Topic == "single");
        Assert.All(topic.Partitions, p => Assert.Single(p.Replicas));
    }
}
