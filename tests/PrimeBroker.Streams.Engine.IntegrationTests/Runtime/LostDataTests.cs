using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>
/// Data the engine needs that the cluster no longer has: a changelog whose head was dropped (retention, DeleteRecords,
/// the embedded cluster's 5 MiB cap) and input deleted before it was processed. Both stop the task loudly.
/// </summary>
public sealed class LostDataTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RestoreFromATruncatedChangelogFailsTheTaskWithTheStorePartitionAndOffsets()
    {
        await using var scenario = new CountScenario();
        var first = await scenario.StartAsync("a");
        scenario.Produce(400);
        await Eventually.True(() => scenario.CountsMatch(first), s_wait, () => scenario.Describe(first));
        await first.StopAsync();

        var partition = Enumerable.Range(0, scenario.Partitions).First(p => HighWatermark(scenario, scenario.ChangelogTopic, p) > 2);
        scenario.Cluster.DeleteRecords(scenario.ChangelogTopic, partition, 2);
        Directory.Delete(scenario.StateDir("a"), recursive: true);

        var second = await scenario.StartAsync("a");
        await Eventually.True(() => second.State == StreamsState.Error && second.ActiveTasks.Count == scenario.Partitions - 1, s_wait, () => scenario.Describe(second));
        var error = Assert.Single(second.Errors);
        Assert.Contains($"Cannot restore store '{CountScenario.Store}' from changelog {scenario.ChangelogTopic} [{partition}]", error);
        Assert.Contains("needs offset 0 but the log starts at 2", error);
        Assert.DoesNotContain(second.ActiveTasks, t => t.Partition == partition);
        Assert.Equal(scenario.Partitions - 1, second.ActiveTasks.Count);
    }

    [Fact]
    public async Task InputDeletedBeforeItWasProcessedStopsTheTaskInsteadOfSkippingIt()
    {
        await using var scenario = new CountScenario();
        var first = await scenario.StartAsync("a");
        scenario.Produce(200);
        await Eventually.True(() => scenario.CountsMatch(first), s_wait, () => scenario.Describe(first));
        await first.StopAsync();

        scenario.Produce(200, offset: 200);
        var end = HighWatermark(scenario, scenario.Input, 0);
        scenario.Cluster.DeleteRecords(scenario.Input, 0, end);

        var second = await scenario.StartAsync("a");
        await Eventually.True(() => second.State == StreamsState.Error, s_wait, () => scenario.Describe(second));
        var error = Assert.Single(second.Errors);
        Assert.Contains($"Input {scenario.Input} [0]", error);
        Assert.Contains("out of range", error);
        Assert.Equal(1, second.Metrics.InputOutOfRangeTotal);
        Assert.DoesNotContain(second.ActiveTasks, t => t.Partition == 0);
    }

    [Fact]
    public async Task ASourceThatDeclaresAResetPolicyResetsInsteadOfStopping()
    {
        await using var scenario = new CountScenario();
        var first = await scenario.StartAsync("a", OffsetResetPolicy.Earliest);
        scenario.Produce(200);
        await Eventually.True(() => scenario.CountsMatch(first), s_wait, () => scenario.Describe(first));
        await first.StopAsync();

        scenario.Produce(200, offset: 200);
        var end = HighWatermark(scenario, scenario.Input, 0);
        scenario.Cluster.DeleteRecords(scenario.Input, 0, end);
        scenario.Produce(40, offset: 400);

        var second = await scenario.StartAsync("a", OffsetResetPolicy.Earliest);
        await Eventually.True(() => second.Metrics.InputOutOfRangeTotal == 1 && second.State == StreamsState.Running && Lagless(scenario, second),
            s_wait, () => scenario.Describe(second));
        Assert.Empty(second.Errors);
    }

    private static bool Lagless(CountScenario scenario, StreamsApplication app) =>
        app.Metrics.ProcessedTotal > 0 && app.ActiveTasks.Count == scenario.Partitions;

    private static long HighWatermark(CountScenario scenario, string topic, int partition)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = scenario.Cluster.BootstrapServers, GroupId = "probe" }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10)).High.Value;
    }
}
