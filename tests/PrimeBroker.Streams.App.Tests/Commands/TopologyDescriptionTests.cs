using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PrimeBroker.Streams.App.Commands;

namespace PrimeBroker.Streams.App.Tests.Commands;

/// <summary>The topology is visible to operators, like Kafka Streams' <c>Topology.describe()</c>: <c>describe</c> prints
/// it without a cluster; <c>GET /topology</c> adds the approximate size of each store per task of the instance.</summary>
public sealed class TopologyDescriptionTests(DevClusterFixture cluster) : IClassFixture<DevClusterFixture>
{
    [Fact]
    public async Task DescribePrintsTheProcessorsStoresAndTopicsAsTextAndAsJson()
    {
        var text = new StringWriter();
        Assert.Equal(HostCommandLine.Success, await HostCommandLine.RunAsync(["describe", "--Logging:LogLevel:Default=Warning"], text, TextWriter.Null));
        Assert.Contains("Sub-topology: 0", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("Source: trade-events-source (topics: [trade-events])", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("Global store: instruments (topic: instrument-events)", text.ToString(), StringComparison.Ordinal);

        var json = new StringWriter();
        Assert.Equal(HostCommandLine.Success, await HostCommandLine.RunAsync(
            ["describe", "--json", "--application-id", "desk-a", "--Brokerage:TradeEventsTopic", "desk-trades", "--Logging:LogLevel:Default=Warning"], json, TextWriter.Null));
        var view = JsonDocument.Parse(json.ToString()).RootElement;
        Assert.Equal("desk-a", view.GetProperty("applicationId").GetString());
        var sub = view.GetProperty("subTopologies")[0];
        var source = sub.GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("kind").GetString() == "Source");
        Assert.Equal(["desk-trades"], source.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        Assert.NotEmpty(source.GetProperty("successors").EnumerateArray());
        var positions = sub.GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "positions");
        Assert.Equal("desk-a-positions-changelog", positions.GetProperty("changelogTopic").GetString());
        Assert.Equal(JsonValueKind.Null, positions.GetProperty("tasks").ValueKind); // sizes come from a running instance only
        Assert.Contains(view.GetProperty("globalStores").EnumerateArray(), g => g.GetProperty("name").GetString() == "instruments");
        Assert.Contains("Sub-topology: 0", view.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTopologyGivesEachStoresApproximateEntriesPerTaskOfTheInstance()
    {
        var file = Path.Combine(Scratch.NewDirectory("instruments"), "instruments.csv");
        await File.WriteAllTextAsync(file, "instrumentId,symbol,currency,assetClass,price\nEQ-TD01,TD1,USD,EQUITY,10\n");
        var load = await cluster.RunAsync(Probe.Timeout, "instruments", "--file", file);
        Assert.True(load.ExitCode == HostCommandLine.Success, load.Error);
        await using var instance = await InProcessInstance.StartAsync(cluster, []);
        using (var posted = await instance.Http.PostAsJsonAsync("/trades", new
        {
            tradeId = "T-TD-1", accountId = "ACC-TD001", instrumentId = "EQ-TD01", quantity = 5m, price = 10m, currency = "USD", side = "BUY",
        }))
        {
            Assert.True(posted.StatusCode == HttpStatusCode.Accepted, await posted.Content.ReadAsStringAsync());
        }

        var last = "";
        await instance.WaitUntilAsync(async () =>
        {
            last = await instance.Http.GetStringAsync("/topology");
            var view = JsonDocument.Parse(last).RootElement;
            var positions = view.GetProperty("subTopologies").EnumerateArray().SelectMany(s => s.GetProperty("stores").EnumerateArray())
                .Single(s => s.GetProperty("name").GetString() == "positions");
            var instruments = view.GetProperty("globalStores").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "instruments");
            return positions.GetProperty("tasks").GetArrayLength() > 0
                && positions.GetProperty("tasks").EnumerateArray().All(t => t.GetProperty("task").GetString()!.StartsWith("0_", StringComparison.Ordinal))
                && positions.GetProperty("approximateEntries").GetInt64() >= 1
                && instruments.GetProperty("approximateEntries").GetInt64() >= 1;
        }, () => $"GET /topology with the position and the instrument counted (last: {last})");
        Assert.Contains("\"instance\":\"127.0.0.1:", last, StringComparison.Ordinal);
    }
}
