using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PrimeBroker.Streams.App.Commands;

namespace PrimeBroker.Streams.App.Tests.Commands;

/// <summary>A <c>run</c> instance in this process (the command line's own code path) on a <see cref="DevClusterFixture"/>,
/// ready when <see cref="StartAsync"/> returns; stopped (and checked to exit 0) on dispose.</summary>
internal sealed class InProcessInstance : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _stateDirectory = Scratch.NewDirectory("instance-state");
    private Task<int> _run = Task.FromResult(0);

    private InProcessInstance(int port)
    {
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    internal int Port { get; }

    /// <summary>A client of the instance's API.</summary>
    internal HttpClient Http { get; }

    /// <summary>What the instance wrote to its error stream.</summary>
    internal StringWriter Error { get; } = new();

    /// <summary>Starts an instance with <paramref name="extraArgs"/> and waits until it answers <paramref name="readyPath"/>
    /// with 200.</summary>
    /// <param name="listenHost">The host of the listen URL: <c>127.0.0.1</c>, or <c>0.0.0.0</c> to bind beyond loopback.</param>
    internal static async Task<InProcessInstance> StartAsync(DevClusterFixture cluster, string[] extraArgs, string readyPath = "/health/ready",
        string listenHost = "127.0.0.1")
    {
        var instance = new InProcessInstance(Scratch.FreePort());
        instance._run = HostCommandLine.RunAsync(["run", "--dev-cluster-file", cluster.File, "--application-server", $"127.0.0.1:{instance.Port}",
            "--urls", $"http://{listenHost}:{instance.Port}", "--state-dir", instance._stateDirectory, "--Streams:CommitInterval", "00:00:00.050",
            "--Logging:LogLevel:Default=Warning", .. extraArgs], new StringWriter(), instance.Error, instance._stop.Token);
        await instance.WaitUntilAsync(async () => await instance.StatusOf(readyPath) == HttpStatusCode.OK, () => "the instance ready");
        return instance;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after two minutes or
    /// when the instance stops.</summary>
    internal async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (!await condition())
        {
            Assert.False(_run.IsCompleted, $"the run instance stopped ({(_run.IsCompletedSuccessfully ? _run.Result : -1)}): {Error}");
            Assert.True(DateTime.UtcNow < deadline, $"no {what()} within {s_timeout.TotalSeconds} s; run's errors: {Error}");
            await timer.WaitForNextTickAsync();
        }
    }

    /// <summary>The position of (<paramref name="account"/>, <paramref name="instrument"/>) once <c>GET /positions</c>
    /// answers it (polled as <see cref="WaitUntilAsync"/>).</summary>
    internal async Task<JsonElement> PositionAsync(string account, string instrument)
    {
        JsonElement position = default;
        var last = "";
        await WaitUntilAsync(async () =>
        {
            using var response = await Http.GetAsync($"/positions/{account}/{instrument}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            position = await response.Content.ReadFromJsonAsync<JsonElement>();
            return true;
        }, () => $"the position of {account} in {instrument} (last: {last})");
        return position;
    }

    private async Task<HttpStatusCode?> StatusOf(string path)
    {
        try
        {
            using var response = await Http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    /// <summary>Stops the instance as Ctrl-C or SIGTERM does (the generic host's <c>StopApplication</c>, through the
    /// run's cancellation) and returns the run, which completes with the exit code <c>Program</c> would return.</summary>
    internal Task<int> RequestStop()
    {
        _stop.Cancel();
        return _run;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        var exit = await _run.WaitAsync(s_timeout);
        Http.Dispose();
        _stop.Dispose();
        Scratch.Delete(_stateDirectory);
        Assert.True(exit == HostCommandLine.Success, $"run exited {exit}: {Error}");
    }
}
