using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.App.Tests.Commands;
using PrimeBroker.Streams.Engine.Internal.Processing;

namespace PrimeBroker.Streams.App.Tests.Hosting;

/// <summary>A stop (SIGTERM, Ctrl-C) that arrives while a stream thread is in the middle of a commit: the commit is
/// finished, not abandoned, the run ends with exit code 0 within <c>Host:ShutdownTimeout</c>, and a new instance finds
/// every trade applied exactly once. The commit is held open at a step of the engine's commit protocol
/// (<see cref="TaskCommitter.StepObserver"/>) until the host is stopping, so "during a commit" does not depend on timing.</summary>
public sealed class ShutdownDuringCommitTests(DevClusterFixture cluster) : IClassFixture<DevClusterFixture>
{
    private const string Account = "ACC-SD001";
    private const string Instrument = "EQ-SD01";
    private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AStopDuringACommitFinishesTheCommitAndExitsZeroWithinTheShutdownTimeoutLosingNothing()
    {
        var file = Path.Combine(Scratch.NewDirectory("instruments"), "instruments.csv");
        await File.WriteAllTextAsync(file, $"instrumentId,symbol,currency,assetClass,price\n{Instrument},SD1,USD,EQUITY,10\n");
        var load = await cluster.RunAsync(Probe.Timeout, "instruments", "--file", file);
        Assert.True(load.ExitCode == HostCommandLine.Success, load.Error);

        // Its own application id: the hook below acts only on this instance's stream threads (named after it).
        var applicationId = $"shutdown-{Guid.NewGuid():N}"[..21];
        string[] args = ["--application-id", applicationId, "--Host:ShutdownTimeout", s_shutdownTimeout.ToString("c")];
        var instance = await InProcessInstance.StartAsync(cluster, args);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finishedAfterHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        Task<int>? stopping = null;
        try
        {
            await PostTradeAsync(instance, "T-SD-1", 1m);
            await QuantityIsAsync(instance, 1m);

            TaskCommitter.StepObserver = (step, _) =>
            {
                if (Thread.CurrentThread.Name?.StartsWith(applicationId, StringComparison.Ordinal) != true)
                {
                    return;
                }

                if (step == CommitStep.ChangelogWritten && held.TrySetResult())
                {
                    // The commit's changelog records are sent, its markers and the Kafka commit are not: hold it here.
                    Assert.True(release.Wait(Probe.Timeout), "the test never released the held commit");
                }
                else if (step == CommitStep.KafkaCommitted && release.IsSet)
                {
                    finishedAfterHold.TrySetResult();
                }
            };
            await PostTradeAsync(instance, "T-SD-2", 2m);
            await held.Task.WaitAsync(Probe.Timeout);

            stopping = instance.RequestStop();
            // The host stops its services in reverse order of their start: the HTTP server first, then the trade
            // publisher, then the streams application, whose thread is still held in its commit.
            await HostStoppingAsync(instance);
            release.Set();

            var exited = await Task.WhenAny(stopping, Task.Delay(s_shutdownTimeout + TimeSpan.FromSeconds(10)));
            Assert.True(exited == stopping, $"the run did not end within the shutdown timeout ({s_shutdownTimeout}) plus 10 s: {instance.Error}");
            Assert.Equal(HostCommandLine.Success, await stopping);
            Assert.True(finishedAfterHold.Task.IsCompleted, "the commit in flight when the stop came was not finished (abandoned at the deadline?)");
        }
        finally
        {
            TaskCommitter.StepObserver = null;
            release.Set();
            await instance.DisposeAsync();
        }

        // Nothing lost, nothing twice: a new instance (own state directory) restores the account from the changelogs.
        await using var next = await InProcessInstance.StartAsync(cluster, ["--application-id", applicationId]);
        Assert.Equal(3m, (await PositionAsync(next)).GetProperty("quantity").Money());
    }

    [Fact]
    public async Task OneShutdownTimeoutIsTheHostsAndTheStreamsApplicationsAndAnOutOfRangeOneIsRefused()
    {
        using var host = HostCommandLine.Build(["run", "--dev-cluster-file", cluster.File, "--Host:ShutdownTimeout", "00:00:12"], TextWriter.Null);

        Assert.Equal(TimeSpan.FromSeconds(12), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(12), StreamsFactory.Config(host.Services).CloseTimeout);
        using var defaults = HostCommandLine.Build(["topics", "--dev-cluster-file", cluster.File], TextWriter.Null);
        Assert.Equal(ShutdownOptions.DefaultTimeout, defaults.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        var error = new StringWriter();
        var exit = await HostCommandLine.RunAsync(["run", "--dev-cluster-file", cluster.File, "--Host:ShutdownTimeout", "00:00:00"], TextWriter.Null, error);
        Assert.Equal(HostCommandLine.Failure, exit);
        Assert.Contains("Host:ShutdownTimeout must be between", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task PostTradeAsync(InProcessInstance instance, string tradeId, decimal quantity)
    {
        using var response = await instance.Http.PostAsJsonAsync("/trades", new
        {
            tradeId, accountId = Account, instrumentId = Instrument, quantity, price = 10m, currency = "USD", side = "BUY",
        });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    private static Task QuantityIsAsync(InProcessInstance instance, decimal quantity)
    {
        var last = "";
        return instance.WaitUntilAsync(async () =>
        {
            using var response = await instance.Http.GetAsync($"/positions/{Account}/{Instrument}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("quantity").Money() == quantity;
        }, () => $"quantity {quantity} of {Account}/{Instrument} (last: {last})");
    }

    private static async Task<JsonElement> PositionAsync(InProcessInstance instance)
    {
        JsonElement position = default;
        var last = "";
        await instance.WaitUntilAsync(async () =>
        {
            using var response = await instance.Http.GetAsync($"/positions/{Account}/{Instrument}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            position = await response.Content.ReadFromJsonAsync<JsonElement>();
            return true;
        }, () => $"position {Account}/{Instrument} (last: {last})");
        return position;
    }

    /// <summary>Waits until the host is stopping: the HTTP server (started last, stopped first) refuses connections, or
    /// the readiness check already reports the streams application stopping.</summary>
    private static async Task HostStoppingAsync(InProcessInstance instance)
    {
        var deadline = DateTime.UtcNow + Probe.Timeout;
        var last = "";
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the host did not begin to stop within {Probe.Timeout} (last /health/ready: {last})");
            await timer.WaitForNextTickAsync();
            try
            {
                using var response = await instance.Http.GetAsync("/health/ready");
                last = await response.Content.ReadAsStringAsync();
                if (last.Contains("not ready: Stopped", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                return; // the server has stopped listening
            }
        }
    }
}
