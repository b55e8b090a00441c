using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>A GroupBy through a repartition topic on the embedded cluster: the internal topic is provisioned with the
/// upstream's partition count, and counts stay exact across a restart.</summary>
public sealed class RepartitionTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CountsByARegroupedKeyStayExactAcrossARestart()
    {
        await using var scenario = new CountScenario();
        var builder = new StreamsBuilder();
        builder.Stream(scenario.Input, Consumed.With(Serdes.String, Serdes.String))
            .GroupBy((account, _) => "region-" + account[^1], Grouped.With(Serdes.String, Serdes.String) with { Name = "by-region" })
            .Count(Materialized<string, long>.As("region-counts"));
        var topology = builder.Build();
        var expected = new Dictionary<string, long>();
        void Produce(int count, int offset)
        {
            var records = Enumerable.Range(offset, count).Select(i => ($"ACC-{i % 40:D4}", $"t-{i}")).ToList();
            ClusterProbe.Produce(scenario.Cluster.BootstrapServers, scenario.Input, records);
            foreach (var (account, _) in records)
            {
                expected["region-" + account[^1]] = expected.GetValueOrDefault("region-" + account[^1]) + 1;
            }
        }

        bool Exact(StreamsApplication app) => expected.All(e => app.Store<string, long>("region-counts").Get(e.Key) == e.Value);
        string Describe(StreamsApplication app) =>
            string.Join(", ", expected.Select(e => $"{e.Key}: {app.Store<string, long>("region-counts").Get(e.Key)}/{e.Value}")) + $" errors [{string.Join(" | ", app.Errors)}] tasks [{string.Join(",", app.ActiveTasks)}] processed {app.Metrics.ProcessedTotal} state {app.State}";

        await using (var first = new StreamsApplication(topology, scenario.Config("a")))
        {
            await first.StartAsync();
            Produce(500, 0);
            await Eventually.True(() => Exact(first), s_wait, () => Describe(first));
            Assert.Equal(scenario.Partitions, ClusterProbe.PartitionCounts(scenario.Cluster.BootstrapServers)[$"{scenario.ApplicationId}-by-region-repartition"]);
        }

        await using var second = new StreamsApplication(topology, scenario.Config("a"));
        await second.StartAsync();
        Produce(300, 500);
        await Eventually.True(() => Exact(second), s_wait, () => Describe(second));
    }
}
