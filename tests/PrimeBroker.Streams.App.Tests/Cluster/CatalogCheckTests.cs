using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Tests.Cluster;

/// <summary>What <c>topics</c> reports about an existing cluster, through the inspector abstraction (the embedded
/// cluster keeps no topic configs, so a real cluster's answers are stood in for here).</summary>
public sealed class CatalogCheckTests
{
    [Fact]
    public async Task TopicsReportsAnInstrumentTopicThatIsNotCompacted()
    {
        var existing = PrimeBrokerTopics.All.ToDictionary(s => s.Name, s => new ExistingTopic(s.Partitions, s.Configs));
        existing[PrimeBrokerTopics.InstrumentEvents] = new ExistingTopic(5, new Dictionary<string, string> { ["cleanup.policy"] = "delete" });
        var output = new StringWriter();

        var bad = await TopicsCommand.ReportAsync(new FixedInspector(existing), PrimeBrokerTopics.All, output, CancellationToken.None);

        Assert.Equal(1, bad);
        var line = Assert.Single(output.ToString().Split('\n'), l => l.StartsWith("MISMATCH", StringComparison.Ordinal));
        Assert.Contains($" {PrimeBrokerTopics.InstrumentEvents} ", line, StringComparison.Ordinal);
        Assert.Contains("cleanup.policy is delete, expected compact", line, StringComparison.Ordinal);
        Assert.Contains("--add-config cleanup.policy=compact", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ACatalogAsDeclaredMatchesAndUnknownConfigsAreNotAMismatch()
    {
        var asDeclared = PrimeBrokerTopics.All.ToDictionary(s => s.Name, s => new ExistingTopic(s.Partitions, s.Configs));
        var withoutConfigs = PrimeBrokerTopics.All.ToDictionary(s => s.Name, s => new ExistingTopic(s.Partitions, null));
        var policyOrder = PrimeBrokerTopics.All.ToDictionary(s => s.Name,
            s => new ExistingTopic(s.Partitions, new Dictionary<string, string> { ["cleanup.policy"] = s.Configs["cleanup.policy"] == "compact" ? "compact" : "delete" }));

        Assert.All(CatalogCheck.Compare(PrimeBrokerTopics.All, asDeclared), l => Assert.True(l.Ok, l.Line));
        Assert.All(CatalogCheck.Compare(PrimeBrokerTopics.All, withoutConfigs), l => Assert.True(l.Ok, l.Line));
        Assert.All(CatalogCheck.Compare(PrimeBrokerTopics.All, policyOrder), l => Assert.True(l.Ok, l.Line));
    }

    private sealed class FixedInspector(IReadOnlyDictionary<string, ExistingTopic> topics) : ITopicInspector
    {
        public Task<IReadOnlyDictionary<string, ExistingTopic>> DescribeAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, ExistingTopic>>(topics.Where(t => names.Contains(t.Key)).ToDictionary());
    }
}
