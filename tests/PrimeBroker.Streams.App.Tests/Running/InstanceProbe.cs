using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace PrimeBroker.Streams.App.Tests.Running;

/// <summary>What the multi-instance process tests ask of running instances: readiness with its task count, and bounded
/// polling that names every instance's state when it gives up.</summary>
internal static class InstanceProbe
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(250);

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
