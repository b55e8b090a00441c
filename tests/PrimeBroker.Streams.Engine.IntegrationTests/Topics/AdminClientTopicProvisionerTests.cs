using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Topics;

/// <summary>
/// The mock cluster has no CreateTopics (the request would time out), so only the verify path runs here: topics are
/// pre-created through the mock API. A provisioner that tried to create anything would fail these tests with a timeout
/// of <see cref="s_options"/>' request timeout.
/// </summary>
public sealed class AdminClientTopicProvisionerTests
{
    private static readonly AdminClientTopicProvisionerOptions s_options = new() { RequestTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task VerifiesTopicsThatExistWithTheExpectedPartitionCountsWithoutCreatingThem()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("orders", partitions: 6, replicationFactor: 3);
        cluster.CreateTopic("fills", partitions: 3, replicationFactor: 3);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var provisioner = new AdminClientTopicProvisioner(admin, s_options);

        await provisioner.EnsureTopicsAsync([new TopicSpec("orders", 6), new TopicSpec("fills", 3)]);
        await provisioner.EnsureTopicsAsync([new TopicSpec("orders", 6), new TopicSpec("fills", 3)]);

        var counts = ClusterProbe.PartitionCounts(cluster.BootstrapServers);
        Assert.Equal(6, counts["orders"]);
        Assert.Equal(3, counts["fills"]);
    }

    [Fact]
    public async Task ExistingTopicWithAnotherPartitionCountRaisesTopicMismatchBeforeCreatingAnything()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("orders", partitions: 4, replicationFactor: 3);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var provisioner = new AdminClientTopicProvisioner(admin, s_options);

        var e = await Assert.ThrowsAsync<TopicMismatchException>(() =>
            provisioner.EnsureTopicsAsync([new TopicSpec("not-yet-there", 2), new TopicSpec("orders", 6)]));

        Assert.Equal(("orders", 6, 4), (e.Topic, e.ExpectedPartitions, e.ActualPartitions));
        Assert.DoesNotContain("not-yet-there", ClusterProbe.PartitionCounts(cluster.BootstrapServers).Keys);
    }

    [Fact]
    public void RejectsANonPositiveRequestTimeout()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = "127.0.0.1:1" }).Build();

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AdminClientTopicProvisioner(admin, new AdminClientTopicProvisionerOptions { RequestTimeout = TimeSpan.Zero }));
    }
}
