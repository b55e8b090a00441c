using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using PrimeBroker.Streams.App.Dashboard;

namespace PrimeBroker.Streams.App.Tests.Dashboard;

/// <summary>
/// The page in a real browser against fixed data: what it draws is checked point by point. The test against a running
/// demo is <see cref="DemoDashboardTests"/>.
/// </summary>
public sealed class DashboardPageTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>, IAsyncLifetime
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);
    private readonly List<string> _browserErrors = [];
    private WebApplication _app = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IDashboardSource>(new FixedSource());
        _app = builder.Build();
        _app.MapDashboard();
        // Stand-ins for the API's position endpoint: the page only needs its status codes and JSON shape.
        _app.MapGet("/positions/{accountId}", (string accountId) => (IResult)(accountId switch
        {
            // Raw JSON so the test controls the number text: 0.10000000 and a 20-digit decimal must reach the page as sent.
            "ACC-1" => Results.Text("""
                {"accountId":"ACC-1","positions":[
                 {"accountId":"ACC-1","instrumentId":"AAPL","quantity":150.5,"averageCost":187.25,"realizedPnl":-12.5,"currency":"USD","marketPrice":188.24,"marketValue":28330.12,"unrealizedPnl":148.995,"lastSequenceNumber":7},
                 {"accountId":"ACC-1","instrumentId":"VOD.L","quantity":-40,"averageCost":0.10000000,"realizedPnl":123456789012.12345678,"currency":"GBP","marketPrice":null,"marketValue":null,"unrealizedPnl":null,"lastSequenceNumber":3}],
                 "servedBy":"127.0.0.1:5002"}
                """, "application/json"),
            "BUSY" => new RetryAfter(Results.Problem(statusCode: 503, title: "Partitions are moving")),
            _ => Results.Problem(statusCode: 404, title: "Unknown account"),
        }));
        _app.MapGet("/gaps", () => Results.Text($$"""
            {"gaps":[{"accountId":"ACC-7","expectedSequence":42,"firstHeldSequence":44,"heldCount":3,
                      "openSince":"{{s_now.AddSeconds(-20):O}}","alerted":false,"instance":"127.0.0.1:5002"}],
             "unreachableInstances":["127.0.0.1:5003"]}
            """, "application/json"));
        await _app.StartAsync();
        _url = _app.Urls.Single();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task DrawsEveryHistoryPointOnBothCharts()
    {
        var page = await OpenAsync();

        var trades = await Points(page, "#chart-trades polyline[data-series=in]");
        var applied = await Points(page, "#chart-trades polyline[data-series=applied]");
        Assert.Equal(FixedSource.Seconds, trades.Count);
        Assert.Equal(FixedSource.Seconds, applied.Count);
        // Higher rate is drawn higher (smaller y); the newest point sits at the right edge ("now").
        Assert.All(trades.Zip(applied), p => Assert.True(p.First.Y < p.Second.Y, "trades in > applied must be drawn above it"));
        Assert.Equal(630, trades[^1].X, 0.5);
        Assert.True(trades.Zip(trades.Skip(1)).All(p => p.Second.X > p.First.X), "points must advance in time");
        // The y axis is rounded up to 500/s for a largest value of 219/s.
        Assert.Contains("500/s", await page.Locator("#chart-trades").TextContentAsync());
        Assert.Contains("125", await page.Locator("#chart-trades").TextContentAsync());

        // Latency has no value for the first 10 s (nothing applied yet): the lines start after that gap.
        var p50 = await Points(page, "#chart-latency polyline[data-series=p50]");
        var p99 = await Points(page, "#chart-latency polyline[data-series=p99]");
        Assert.Equal(FixedSource.Seconds - 10, p50.Count);
        Assert.Equal(FixedSource.Seconds - 10, p99.Count);
        Assert.All(p50.Zip(p99), p => Assert.True(p.First.Y > p.Second.Y, "p99 must be drawn above p50"));
        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task ShowsFiguresDeadLettersGapsAndInstances()
    {
        var page = await OpenAsync();

        Assert.Equal("219", await page.Locator("#now-trades-in").TextContentAsync());
        Assert.Equal("209", await page.Locator("#now-trades-applied").TextContentAsync());
        Assert.Equal("3.5 ms", await page.Locator("#now-p50").TextContentAsync());
        Assert.Equal("9", await page.Locator("#now-dlq").TextContentAsync());
        Assert.Equal("12.5 % used", await page.Locator("#now-headroom").TextContentAsync());
        Assert.StartsWith("live · Rebalancing · ", await page.Locator("#status").TextContentAsync());
        Assert.Equal("degraded", await page.Locator("#status").GetAttributeAsync("data-state"));

        var reasons = await page.Locator("#dlq .row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.reason + '=' + r.querySelector('.count').textContent)");
        Assert.Equal(["UnknownInstrument=7", "InvalidQuantity=2"], reasons);

        // Gaps come from GET /gaps (every instance), polled apart from the state: wait for the first answer.
        await page.WaitForFunctionAsync("() => document.querySelector('#gaps tbody tr:not(.empty)') !== null");
        var gaps = await page.Locator("#gaps tbody tr td").AllTextContentsAsync();
        Assert.Equal(["ACC-7", "42", "3"], gaps.Take(3));
        Assert.Equal("127.0.0.1:5002", gaps[4]);
        Assert.Equal("1+", await page.Locator("#now-gaps").TextContentAsync());
        Assert.Contains("127.0.0.1:5003", await page.Locator("#gaps-unreachable").TextContentAsync());

        var instances = await page.Locator("#instances tbody tr").AllTextContentsAsync();
        Assert.Equal(2, instances.Count);
        Assert.Contains("127.0.0.1:5001 (this)", instances[0]);
        Assert.Contains("trade-events 0-2, 5", instances[0]);
        Assert.Contains("trade-events 3-4", instances[1]);
        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task LookupShowsPositionsUnknownAccountsAndRetryAfter()
    {
        var page = await OpenAsync();

        await LookUp(page, "ACC-1", "200");
        var rows = await page.Locator("#lookup-table tbody tr").EvaluateAllAsync<string[]>(
            "rows => rows.map(r => [...r.cells].map(c => c.textContent).join('|'))");
        Assert.Equal(["AAPL|150.5|187.25|-12.5|188.24|28330.12|148.995|USD", "VOD.L|-40|0.10000000|123456789012.12345678|–|–|–|GBP"], rows);
        Assert.Equal("ACC-1: 2 position(s) · answered by 127.0.0.1:5002", await page.Locator("#lookup-result .message").TextContentAsync());

        await LookUp(page, "NOPE", "404");
        Assert.Equal("Unknown account NOPE.", await page.Locator("#lookup-result .message").TextContentAsync());

        await LookUp(page, "BUSY", "503");
        Assert.Contains("try again in 2 s", await page.Locator("#lookup-result .message").TextContentAsync());
        // The browser logs the 404 and 503 responses themselves; nothing else may fail.
        Assert.DoesNotContain(_browserErrors, e => !e.Contains("the server responded with a status of"));
    }

    [Fact]
    public async Task StateEndpointRejectsAWindowOutsideOneToSixtyMinutes()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        Assert.Equal(400, (int)(await http.GetAsync("/api/dashboard/state?minutes=0")).StatusCode);
        Assert.Equal(400, (int)(await http.GetAsync("/api/dashboard/state?minutes=61")).StatusCode);
        Assert.Equal(200, (int)(await http.GetAsync("/api/dashboard/state?minutes=60")).StatusCode);
        Assert.Equal(404, (int)(await http.GetAsync("/dashboard/secrets.json")).StatusCode);
        var page = await http.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    private async Task<IPage> OpenAsync()
    {
        var page = await chromium.NewPageAsync(_browserErrors);
        await page.GotoAsync(_url + "/");
        // Bounded (the page's default timeout): the first poll has drawn once the status says live.
        await page.WaitForFunctionAsync("() => document.getElementById('status').textContent.startsWith('live')");
        return page;
    }

    private static async Task LookUp(IPage page, string account, string expectedStatus)
    {
        await page.FillAsync("#lookup-account", account);
        await page.ClickAsync("#lookup-form button");
        await page.WaitForFunctionAsync(
            "s => document.getElementById('lookup-result').dataset.status === s", expectedStatus);
    }

    private static async Task<List<(double X, double Y)>> Points(IPage page, string selector)
    {
        var lines = page.Locator(selector);
        Assert.Equal(1, await lines.CountAsync());
        var points = await lines.GetAttributeAsync("points") ?? "";
        return points.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(','))
            .Select(xy => (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>120 seconds of history ending at a fixed time: trades in 100..219/s, applied 10 less, latency from the
    /// 11th second on.</summary>
    private sealed class FixedSource : IDashboardSource
    {
        internal const int Seconds = 120;

        public DashboardState Read(TimeSpan window)
        {
            var history = Enumerable.Range(0, Seconds).Select(i => new DashboardPoint(
                s_now.AddSeconds(i - Seconds + 1), 100 + i, 90 + i,
                i < 10 ? null : 3.5, i < 10 ? null : 11.0 + i % 5)).ToList();
            var last = history[^1];
            return new DashboardState(
                s_now,
                (int)window.TotalSeconds,
                new DashboardFigures(last.TradesInPerSecond, last.TradesAppliedPerSecond, last.LatencyP50Ms,
                    last.LatencyP99Ms, DeadLetters: 9, OpenGaps: 1, ConsumerLag: 17, EmbeddedClusterHeadroom: 0.125, State: "Rebalancing"),
                [new DashboardReasonCount("UnknownInstrument", 7), new DashboardReasonCount("InvalidQuantity", 2)],
                history,
                [
                    new DashboardInstance("127.0.0.1:5001", true,
                        [.. new[] { 5, 0, 2, 1 }.Select(p => new DashboardPartition("trade-events", p))]),
                    new DashboardInstance("127.0.0.1:5002", false,
                        [new DashboardPartition("trade-events", 3), new DashboardPartition("trade-events", 4)]),
                ]);
        }
    }

    private sealed class RetryAfter(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = "2";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
