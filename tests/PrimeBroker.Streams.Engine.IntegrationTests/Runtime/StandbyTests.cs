using Confluent.Kafka;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;
using Xunit.Abstractions;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>
/// Standby replicas across OS processes: two CountApp children with <c>NumStandbyReplicas = 1</c> each keep the other's
/// tasks warm; one is SIGKILLed while input flows, and the survivor, which had a standby of every moved task, restores
/// only the tail of their changelogs. A fresh instance then restores everything and every count must be exact.
/// </summary>
public sealed class StandbyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AStandbyThatBecomesActiveAfterItsOwnerIsKilledRestoresOnlyTheTailWithExactCounts()
    {
        await using var harness = new HandoverHarness(Environment.TickCount, new Dictionary<string, string> { ["PBS_STANDBYS"] = "1" });
        // The children verify their internal topics through the Admin API, which the embedded cluster cannot create.
        harness.Scenario.Cluster.CreateTopic($"{harness.Scenario.ApplicationId}-instances", 1, 3);
        await harness.StartAsync();

        // Each keeps a standby of every task the other owns (two instances, one replica).
        var (a, b) = (harness.Processes["a"], harness.Processes["b"]);
        await Eventually.True(() => Same(a.Standbys, b.Tasks) && Same(b.Standbys, a.Tasks) && b.StandbyApplied > 0 && a.StandbyApplied > 0,
            HandoverHarness.Wait, () => $"standbys: a=[{a.Standbys}] b=[{b.Standbys}]; {harness.Describe()}");

        // Let the changelogs grow, so a restore from the start would be long next to the tail.
        var mark = harness.Produced + 2000;
        await Eventually.True(() => harness.Produced >= mark || harness.ProducerFaulted, HandoverHarness.Wait, () => "producer stalled");
        var victim = a.Partitions.Count >= b.Partitions.Count ? a : b;
        var survivor = victim == a ? b : a;
        var moved = victim.Partitions.ToList();
        Assert.True(Same(survivor.Standbys, victim.Tasks), $"the survivor's standbys [{survivor.Standbys}] are not the victim's tasks [{victim.Tasks}]");
        var restoredBefore = survivor.RestoredRecords;
        victim.Kill();
        await harness.TakeoverAsync(survivor);
        var restored = survivor.RestoredRecords - restoredBefore;

        // The changelog offsets of the moved tasks (data, commit markers, control records): what a cold takeover reads.
        var changelog = moved.Sum(p => ChangelogEnd(harness, p));
        await harness.RestartAsync(victim.Name, survivor);
        await harness.VerifyAsync();
        output.WriteLine($"seed {harness.Seed}: SIGKILL of {victim.Name} after {mark} records; the survivor took over tasks of partitions " +
                         $"[{string.Join(",", moved)}] restoring {restored} changelog records (their changelogs hold {changelog} offsets); " +
                         $"standbys applied {survivor.StandbyApplied} records on the survivor; every count exact");
        Assert.True(restored * 4 < changelog, $"the takeover restored {restored} records of changelogs holding {changelog} offsets: not only the tail");
    }

    private static bool Same(string left, string right) =>
        left.Length > 0 && left.Split(',').Order().SequenceEqual(right.Split(',').Order());

    private static long ChangelogEnd(HandoverHarness harness, int partition)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = harness.Scenario.Cluster.BootstrapServers, GroupId = "probe" }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(harness.Scenario.ChangelogTopic, partition), ClusterProbe.Timeout).High.Value;
    }
}
