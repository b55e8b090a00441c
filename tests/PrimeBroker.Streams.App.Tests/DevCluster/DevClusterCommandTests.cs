using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Tests.DevCluster;

public sealed class DevClusterCommandTests
{
    [Fact]
    public async Task StartsTheEmbeddedClusterProvisionsTheCatalogAndWritesTheConnectionFile()
    {
        var file = Probe.TempFile();
        var output = new StringWriter();
        using var host = HostCommandLine.Build(["dev-cluster", "--output", file], output);

        await host.StartAsync().WaitAsync(Probe.Timeout);
        try
        {
            var info = DevClusterInfo.ReadFrom(file);
            Assert.True(info.Embedded);
            Assert.NotNull(info.SchemaRegistryUrl);
            Assert.StartsWith("http://127.0.0.1:", info.SchemaRegistryUrl);
            using (var http = new HttpClient())
            {
                var subjects = await http.GetAsync(info.SchemaRegistryUrl + "/subjects").WaitAsync(Probe.Timeout);
                Assert.Equal(System.Net.HttpStatusCode.OK, subjects.StatusCode);
            }

            Assert.Equal(3, info.BootstrapServers.Split(',').Length);
            var counts = Probe.PartitionCounts(info.BootstrapServers);
            Assert.All(PrimeBrokerTopics.All, spec => Assert.Equal(spec.Partitions, counts.GetValueOrDefault(spec.Name)));
            Assert.Contains($"bootstrap: {info.BootstrapServers}", output.ToString());
            Assert.Contains($"registry: {info.SchemaRegistryUrl}", output.ToString());
        }
        finally
        {
            await host.StopAsync().WaitAsync(Probe.Timeout);
        }

        Assert.False(File.Exists(file), "the connection file of a stopped embedded cluster must be removed");
    }

    [Fact]
    public async Task RunsUntilCancelledThenStopsCleanlyWithExitCodeZero()
    {
        var file = Probe.TempFile();
        var output = new SignallingWriter("connection file:");
        using var cts = new CancellationTokenSource();

        var run = HostCommandLine.RunAsync(["dev-cluster", "--output", file, "--brokers", "1"], output, TextWriter.Null, cts.Token);
        await output.LineWritten.WaitAsync(Probe.Timeout);
        Assert.False(run.IsCompleted, "dev-cluster must keep running until it is stopped");
        Assert.True(File.Exists(file));
        Assert.Single(DevClusterInfo.ReadFrom(file).BootstrapServers.Split(','));

        await cts.CancelAsync();
        var exitCode = await run.WaitAsync(Probe.Timeout);

        Assert.Equal(HostCommandLine.Success, exitCode);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task WithExternalBootstrapServersOnlyVerifiesTheCatalogThroughTheAdminApiAndExits()
    {
        // The "external" cluster is an embedded one whose catalog already exists: the mock has no CreateTopics, so
        // this also shows the command does not try to create topics that exist.
        await using var cluster = EmbeddedKafkaCluster.Start();
        await cluster.CreateTopicProvisioner().EnsureTopicsAsync(PrimeBrokerTopics.All);
        var file = Probe.TempFile();
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(
            ["dev-cluster", "--bootstrap-servers", cluster.BootstrapServers, "--schema-registry-url", "http://registry.test:8081", "--output", file],
            output, error).WaitAsync(Probe.Timeout);

        Assert.True(exitCode == HostCommandLine.Success, error.ToString());
        var info = DevClusterInfo.ReadFrom(file);
        Assert.Equal(new DevClusterInfo(cluster.BootstrapServers, "http://registry.test:8081", Embedded: false), info);
        Assert.Contains("registry: http://registry.test:8081", output.ToString());
    }

    [Fact]
    public async Task WithExternalBootstrapServersAMismatchedTopicFailsTheCommandNamingTheTopic()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic(PrimeBrokerTopics.TradeEvents, partitions: 4, replicationFactor: 3);
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(
            ["dev-cluster", "--bootstrap-servers", cluster.BootstrapServers, "--output", Probe.TempFile()],
            TextWriter.Null, error).WaitAsync(Probe.Timeout);

        Assert.Equal(HostCommandLine.Failure, exitCode);
        Assert.Contains("'trade-events' exists with 4 partitions but 20 are expected", error.ToString());
    }

    [Fact]
    public async Task InvalidBrokerCountFailsAtStartWithTheReason()
    {
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(["dev-cluster", "--brokers", "0", "--output", Probe.TempFile()],
            TextWriter.Null, error).WaitAsync(Probe.Timeout);

        Assert.Equal(HostCommandLine.Failure, exitCode);
        Assert.Contains("DevCluster:Brokers must be between 1 and 32", error.ToString());
    }
}
