using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Embedded;

namespace PrimeBroker.Streams.Brokerage.Tests;

public sealed class PrimeBrokerTopicsTests
{
    private static readonly Dictionary<string, int> s_expectedPartitions = new()
    {
        ["trade-events"] = 20,
        ["position-events"] = 20,
        ["ledger-events"] = 10,
        ["settlement-events"] = 10,
        ["instrument-events"] = 5,
        ["trade-events-dlq"] = 20,
        ["alerts"] = 5,
    };

    [Fact]
    public void CatalogDeclaresTheSevenTopicsWithTheirPartitionCounts()
    {
        Assert.Equal(s_expectedPartitions, PrimeBrokerTopics.All.ToDictionary(t => t.Name, t => t.Partitions));
    }

    [Fact]
    public void EveryTopicIsReplicatedThreeTimesWithTwoInSyncReplicasAndOnlyReferenceDataIsCompacted()
    {
        Assert.All(PrimeBrokerTopics.All, t =>
        {
            Assert.Equal(3, t.ReplicationFactor);
            Assert.Equal("2", t.Configs["min.insync.replicas"]);
            // Instruments feed a global table that a new instance builds from the whole topic: never deleted by age.
            Assert.Equal(t.Name == PrimeBrokerTopics.InstrumentEvents ? "compact" : "delete", t.Configs["cleanup.policy"]);
        });
    }

    [Fact]
    public void LedgerAndSettlementEventsAreKeptSevenYearsAndTheOthersThirtyDays()
    {
        var retention = PrimeBrokerTopics.All.Where(t => t.Configs.ContainsKey("retention.ms")).ToDictionary(t => t.Name, t => TimeSpan.FromMilliseconds(long.Parse(t.Configs["retention.ms"])));

        Assert.All(new[] { PrimeBrokerTopics.LedgerEvents, PrimeBrokerTopics.SettlementEvents },
            name => Assert.InRange(retention[name].TotalDays, 7 * 365, 7 * 366));
        Assert.All(retention.Keys.Except([PrimeBrokerTopics.LedgerEvents, PrimeBrokerTopics.SettlementEvents]),
            name => Assert.Equal(TimeSpan.FromDays(30), retention[name]));
        Assert.DoesNotContain(PrimeBrokerTopics.InstrumentEvents, retention.Keys); // compacted: kept whatever its age
    }

    [Fact]
    public async Task ProvisioningTheCatalogOnTheEmbeddedClusterCreatesAllTopicsAndASecondRunChangesNothing()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var provisioner = cluster.CreateTopicProvisioner();

        await provisioner.EnsureTopicsAsync(PrimeBrokerTopics.All);
        var first = PartitionCounts(cluster.BootstrapServers);
        await provisioner.EnsureTopicsAsync(PrimeBrokerTopics.All);
        var second = PartitionCounts(cluster.BootstrapServers);

        Assert.Equal(s_expectedPartitions, first);
        Assert.Equal(first, second);
    }

    private static Dictionary<string, int> PartitionCounts(string bootstrapServers)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count);
    }
}
