using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using PrimeBroker.Streams.App.Dashboard;
using PrimeBroker.Streams.App.Http;

namespace PrimeBroker.Streams.App.Tests.Dashboard;

/// <summary>
/// Two instances behind one page, as behind a Kubernetes Service: each serves its own figures, and the page asks the
/// one it reached for the cluster view (<c>GET /api/dashboard/cluster</c>), which gathers the other's over HTTP. The page
/// must draw the same charts and the same instance table from either instance, so it no longer jumps between pods.
/// </summary>
public sealed class ClusterDashboardPageTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>, IAsyncLifetime
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);
    private readonly List<string> _browserErrors = [];
    private readonly InstanceSource _a = new(rateBase: 100, lag: 5, state: "Running");
    private readonly InstanceSource _b = new(rateBase: 40, lag: 70, state: "Restoring 1 of 2 tasks");
    private WebApplication _appA = null!;
    private WebApplication _appB = null!;

    public async Task InitializeAsync()
    {
        _appA = await StartAsync(_a);
        _appB = await StartAsync(_b);
        var servers = new[] { new Uri(_appA.Urls.Single()).Authority, new Uri(_appB.Urls.Single()).Authority };
        _a.Servers = _b.Servers = servers;
        _a.Self = servers[0];
        _b.Self = servers[1];
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _appA, _appB })
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task EitherInstanceDrawsTheSameMergedChartsAndEveryInstancesHealth()
    {
        var fromA = await ReadPageAsync(_appA.Urls.Single());
        var fromB = await ReadPageAsync(_appB.Urls.Single());

        // Rates summed per second over both instances: 140 + 2i in, drawn identically from either instance.
        Assert.Equal(fromA.Trades, fromB.Trades);
        Assert.Equal(fromA.Latency, fromB.Latency);
        Assert.Equal(InstanceSource.Seconds, fromA.Trades.Split(' ').Length);
        Assert.Equal("378", fromA.TradesIn); // (100 + 119) + (40 + 119)
        Assert.Equal(fromA.TradesIn, fromB.TradesIn);
        Assert.Equal("75", fromA.Lag);
        // The worst instance's state and latency: B restores.
        Assert.StartsWith("live · Restoring 1 of 2 tasks · ", fromA.Status);
        Assert.Equal("16.5 ms", fromA.P99); // B's p99, 4 + 500 / 40, the larger of the two

        Assert.Equal(fromA.Instances.Select(r => r[1..]), fromB.Instances.Select(r => r[1..]));
        Assert.Equal(["Running", "5", "219", "209"], fromA.Instances[0][1..5]);
        Assert.Equal(["Restoring 1 of 2 tasks", "70", "159", "149"], fromA.Instances[1][1..5]);
        Assert.EndsWith("(this)", fromA.Instances[0][0]);
        Assert.EndsWith("(this)", fromB.Instances[1][0]);
        Assert.Equal("trade-events 3-4", fromA.Instances[1][7]);
        Assert.Empty(_browserErrors);
    }

    private async Task<PageReading> ReadPageAsync(string url)
    {
        var page = await chromium.NewPageAsync(_browserErrors);
        await page.GotoAsync(url + "/");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#instances tbody td.state').length === 2");
        string Points(string selector) => page.Locator(selector).GetAttributeAsync("points").GetAwaiter().GetResult() ?? "";
        var rows = await page.Locator("#instances tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.cells].map(c => c.textContent))");
        return new PageReading(
            Points("#chart-trades polyline[data-series=in]"),
            Points("#chart-latency polyline[data-series=p99]"),
            (await page.Locator("#now-trades-in").TextContentAsync())!,
            (await page.Locator("#now-lag").TextContentAsync())!,
            (await page.Locator("#now-p99").TextContentAsync())!,
            (await page.Locator("#status").TextContentAsync())!,
            [.. rows]);
    }

    private static async Task<WebApplication> StartAsync(InstanceSource source)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IDashboardSource>(source);
        builder.Services.AddHttpClient(OwnerForwarder.ClientName);
        builder.Services.AddSingleton<OwnerForwarder>();
        var app = builder.Build();
        app.MapDashboard();
        DashboardPageTests.MapBookStandIns(app, []);
        app.MapGet("/gaps", () => Microsoft.AspNetCore.Http.Results.Text("""{"gaps":[],"unreachableInstances":[]}""", "application/json"));
        await app.StartAsync();
        return app;
    }

    private sealed record PageReading(string Trades, string Latency, string TradesIn, string Lag, string P99, string Status, List<string[]> Instances);

    /// <summary>One instance's own figures: 60 s of history ending at a fixed time, rates rising by one a second from
    /// <paramref name="rateBase"/>; the directory splits trade-events between the two (0-2 and 3-4).</summary>
    private sealed class InstanceSource(int rateBase, long lag, string state) : IDashboardSource
    {
        internal const int Seconds = 60;

        internal string[] Servers { get; set; } = [];

        internal string Self { get; set; } = "";

        public DashboardState Read(TimeSpan window)
        {
            var history = Enumerable.Range(0, Seconds).Select(i => new DashboardPoint(
                s_now.AddSeconds(i - Seconds + 1), rateBase + i + 60, rateBase + i + 50, 2.0 + rateBase / 100.0, 4.0 + 500.0 / rateBase)).ToList();
            var last = history[^1];
            return new DashboardState(s_now, (int)window.TotalSeconds,
                new DashboardFigures(last.TradesInPerSecond, last.TradesAppliedPerSecond, last.LatencyP50Ms, last.LatencyP99Ms, 0, 0, lag, null, state),
                [], history,
                [.. Servers.Select((s, n) => new DashboardInstance(s, s == Self,
                    [.. (n == 0 ? new[] { 0, 1, 2 } : [3, 4]).Select(p => new DashboardPartition("trade-events", p))]))]);
        }
    }
}
