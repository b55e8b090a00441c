using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Embedded;

/// <summary>The embedded cluster listens on loopback: clients in other OS processes use it like any cluster.</summary>
public sealed class CrossProcessTests
{
    private const int RecordCount = 500;
    private static readonly TimeSpan s_childTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task RecordsProducedByAnotherProcessAreAllConsumedHere()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var topic = ClusterProbe.UniqueTopic("from-child");
        cluster.CreateTopic(topic, partitions: 4, replicationFactor: 3);

        var child = await ChildProcess.RunTestClientAsync(s_childTimeout,
            "produce", cluster.BootstrapServers, topic, RecordCount.ToString(), "ACC");

        Assert.True(child.ExitCode == 0, child.ToString());
        var received = ClusterProbe.ConsumeFromBeginning(cluster.BootstrapServers, topic, RecordCount);
        Assert.Equal(
            Enumerable.Range(0, RecordCount).Select(i => $"ACC-{i}").Order(),
            received.Select(r => r.Message.Key).Order());
    }

    [Fact]
    public async Task RecordsProducedHereAreAllConsumedByAnotherProcess()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var topic = ClusterProbe.UniqueTopic("to-child");
        cluster.CreateTopic(topic, partitions: 4, replicationFactor: 3);
        ClusterProbe.Produce(cluster.BootstrapServers, topic,
            Enumerable.Range(0, RecordCount).Select(i => ($"ACC-{i}", $"value-{i}")));

        var child = await ChildProcess.RunTestClientAsync(s_childTimeout,
            "consume", cluster.BootstrapServers, topic, RecordCount.ToString(), "60");

        Assert.True(child.ExitCode == 0, child.ToString());
        var lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            Enumerable.Range(0, RecordCount).Select(i => $"ACC-{i}=value-{i}").Order(),
            lines.Order());
    }
}
