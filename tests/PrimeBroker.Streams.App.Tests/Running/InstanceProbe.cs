using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PrimeBroker.Streams.App.Cluster;

namespace PrimeBroker.Streams.App.Tests.Running;

/// <summary>What the multi-instance process tests do with <c>run</c> instances: start one, read its readiness with its
/// task count, and poll with a bound that names every instance's state when it gives up.</summary>
internal static class InstanceProbe
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Starts <c>run-<paramref name="index"/></c> against the dev cluster of <paramref name="info"/>, with its own
    /// state directory, one stream thread, trades on <paramref name="tradeTopic"/>, the host's group defaults for the
    /// embedded cluster (cooperative rebalancing, 3 s session timeout) and 50 ms commits.</summary>
    public static AppProcess StartRun(int index, string directory, DevClusterInfo info, int port, string tradeTopic) =>
        AppProcess.Start($"run-{index}", directory, null, "run",
            "--bootstrap-servers", info.BootstrapServers,
            "--schema-registry-url", info.SchemaRegistryUrl!,
            "--application-server", $"127.0.0.1:{port}",
            "--urls", $"http://127.0.0.1:{port}",
            "--state-dir", Path.Combine(directory, $"state-{index}"),
            "--threads", "1",
            "--Brokerage:TradeEventsTopic", tradeTopic,
            "--Streams:CommitInterval", "00:00:00.050",
            "--Logging:LogLevel:Default=Warning");

    /// <summary>The number of active tasks an instance reports when ready; null while it is not ready or not listening.</summary>
    public static async Task<int?> ReadyTaskCountAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/health/ready");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.GetProperty("checks").GetProperty("streams").GetProperty("data").GetProperty("activeTasks").GetArrayLength();
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    public static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, IReadOnlyList<AppProcess> instances) =>
        WaitUntilAsync(condition, timeout, () => what, instances);

    /// <summary>Polls <paramref name="condition"/> every 250 ms up to <paramref name="timeout"/>; fails the test with
    /// every instance's description when it never holds.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what, IReadOnlyList<AppProcess> instances)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(s_pollInterval);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no {what()} within {timeout.TotalSeconds} s.\n{string.Join('\n', instances.Select(i => i.Describe()))}");
            }

            await timer.WaitForNextTickAsync();
        }
    }
}
