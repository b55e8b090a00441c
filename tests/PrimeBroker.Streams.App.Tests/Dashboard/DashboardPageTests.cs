using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using PrimeBroker.Streams.App.Dashboard;
using PrimeBroker.Streams.App.Http;

namespace PrimeBroker.Streams.App.Tests.Dashboard;

/// <summary>
/// The page in a real browser against fixed data: what it draws is checked point by point, and what it writes (a
/// re-drive, a gap resolution) is checked at stand-ins of the API's endpoints, which record the requests. The test
/// against a running demo is <see cref="DemoDashboardTests"/>; two instances behind one page are
/// <see cref="ClusterDashboardPageTests"/>.
/// </summary>
public sealed class DashboardPageTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>, IAsyncLifetime
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);
    private readonly List<string> _browserErrors = [];
    private readonly List<string> _writes = [];
    private WebApplication _app = null!;
    private string _url = null!;
    private string _downInstance = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        // A peer in the directory that does not answer: a port that was free a moment ago.
        _downInstance = $"127.0.0.1:{Scratch.FreePort()}";
        builder.Services.AddSingleton<IDashboardSource>(new FixedSource(_downInstance));
        builder.Services.AddHttpClient(OwnerForwarder.ClientName);
        builder.Services.AddSingleton<OwnerForwarder>();
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
        MapBookStandIns(_app, _writes);
        await _app.StartAsync();
        _url = _app.Urls.Single();
    }

    /// <summary>Stand-ins of the book-wide endpoints (raw JSON, money as the API's eight-place strings) and of the two
    /// writes, which record method, path, query, API key and body in <paramref name="writes"/>.</summary>
    internal static void MapBookStandIns(WebApplication app, List<string> writes)
    {
        app.MapGet("/ledger/balances", (string? accountId) => Results.Text(accountId is null
            ? """
              {"currencies":[
                {"currency":"GBP","accounts":1,"cash":"-723.50000000","securities":"723.50000000","realizedPnl":"0.00000000","debits":"723.50000000","credits":"700.00000000","unbalancedAccounts":1,"balanced":false},
                {"currency":"USD","accounts":2,"cash":"1234567.50000000","securities":"-1234767.50000000","realizedPnl":"-200.00000000","debits":"2400.00000000","credits":"2400.00000000","unbalancedAccounts":0,"balanced":true}],
               "accounts":[
                {"accountId":"ACC-1","currency":"GBP","cash":"-723.50000000","securities":"723.50000000","realizedPnl":"0.00000000","debits":"723.50000000","credits":"700.00000000","entries":1,"balanced":false,"instance":"a"},
                {"accountId":"ACC-1","currency":"USD","cash":"200.00000000","securities":"0.00000000","realizedPnl":"200.00000000","debits":"2400.00000000","credits":"2400.00000000","entries":3,"balanced":true,"instance":"a"},
                {"accountId":"ACC-2","currency":"USD","cash":"1234367.50000000","securities":"-1234767.50000000","realizedPnl":"-400.00000000","debits":"0.00000000","credits":"0.00000000","entries":0,"balanced":true,"instance":"b"}],
               "accountBalances":4,"complete":false,"unreachableInstances":["127.0.0.1:5003"]}
              """
            : $$"""
              {"currencies":[{"currency":"USD","accounts":1,"cash":"5.00000000","securities":"-5.00000000","realizedPnl":"0.00000000","debits":"5.00000000","credits":"5.00000000","unbalancedAccounts":0,"balanced":true}],
               "accounts":[{"accountId":"{{accountId}}","currency":"USD","cash":"5.00000000","securities":"-5.00000000","realizedPnl":"0.00000000","debits":"5.00000000","credits":"5.00000000","entries":1,"balanced":true,"instance":"a"}],
               "accountBalances":1,"complete":true,"unreachableInstances":[]}
              """, "application/json"));
        app.MapGet("/settlements/ladder", () => Results.Text("""
            {"from":"2026-12-01","complete":true,"unreachableInstances":[],"rows":[
              {"valueDate":"2026-12-02","currency":"USD","pending":0,"failed":2,"settled":5,"pay":"300.00000000","receive":"0.00000000","net":"-300.00000000"},
              {"valueDate":"2026-12-04","currency":"EUR","pending":7,"failed":0,"settled":0,"pay":"1000.00000000","receive":"2500.25000000","net":"1500.25000000"}]}
            """, "application/json"));
        app.MapGet("/exposures", () => Results.Text("""
            {"complete":true,"unreachableInstances":[],
             "top":[{"accountId":"ACC-2","instrumentId":"MSFT","symbol":"Microsoft","assetClass":"EQUITY","currency":"USD","quantity":"-3000.00000000","price":"410.00000000","marketValue":"-1230000.00000000","unrealizedPnl":"-1500.00000000","instance":"b"},
                    {"accountId":"ACC-1","instrumentId":"AAPL","symbol":"AAPL","assetClass":"EQUITY","currency":"USD","quantity":"100.00000000","price":"190.00000000","marketValue":"19000.00000000","unrealizedPnl":"900.00000000","instance":"a"}],
             "currencies":[{"currency":"USD","positions":3,"long":"19000.00000000","short":"-1230000.00000000","gross":"1249000.00000000","net":"-1211000.00000000","unpriced":1}]}
            """, "application/json"));
        app.MapGet("/instruments", () => Results.Text("""
            [{"instrumentId":"AAPL","symbol":"AAPL","currency":"USD","assetClass":"EQUITY","price":"190.00000000","updatedAt":"2026-12-02T09:00:00+00:00"},
             {"instrumentId":"VOD","symbol":"VOD.L","currency":"GBP","assetClass":"EQUITY","price":"0.72350000","updatedAt":"2026-12-02T09:00:00+00:00"}]
            """, "application/json"));
        app.MapGet("/alerts", () => Results.Text("""
            [{"id":"0:12","alertId":"gap-open:ACC-7:42","kind":"SEQUENCE_GAP_OPEN","severity":"ERROR","accountId":"ACC-7","message":"Account ACC-7 waits for sequence 42 to 43.","details":{"missingFrom":"42"},"timestamp":"2026-12-02T09:29:30+00:00"},
             {"id":"1:3","alertId":"resolved:ACC-9","kind":"SEQUENCE_GAP_RESOLVED","severity":"INFO","accountId":"ACC-9","message":"Gap of ACC-9 resolved by ops.","details":{},"timestamp":"2026-12-02T09:20:00+00:00"}]
            """, "application/json"));
        app.MapGet("/dlq", () => Results.Text("""
            {"total":9,"byReason":{"UnknownInstrument":7,"InvalidQuantity":2},"latest":[
              {"id":"3:17","reason":"UnknownInstrument","message":"Instrument NEW1 is not in the instrument table.","sourceTopic":"trade-events","sourcePartition":3,"sourceOffset":170,"timestamp":"2026-12-02T09:29:00+00:00","recordType":"TradeCreated","accountId":"ACC-3","tradeId":"T-17","instrumentId":"NEW1","sequenceNumber":4},
              {"id":"0:2","reason":"Undecodable","message":"bad bytes","sourceTopic":"trade-events","sourcePartition":0,"sourceOffset":5,"timestamp":"2026-12-02T09:28:00+00:00","recordType":null,"accountId":null,"tradeId":null,"instrumentId":null,"sequenceNumber":null}]}
            """, "application/json"));
        app.MapPost("/dlq/redrive", async (HttpContext context) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            lock (writes)
            {
                writes.Add($"POST /dlq/redrive key={context.Request.Headers["X-Api-Key"]} {body}");
            }

            return Results.Text("""[{"id":"3:17","redriven":true,"detail":"published as sequence 9 of ACC-3"}]""", "application/json");
        });
        app.MapPost("/accounts/{accountId}/gaps/resolve", (HttpContext context, string accountId) =>
        {
            lock (writes)
            {
                writes.Add($"POST {context.Request.Path}{context.Request.QueryString} key={context.Request.Headers["X-Api-Key"]}");
            }

            return Results.Json(new { accountId, commandId = "cmd-1", expectedSequence = 42, partition = 1, offset = 99 }, statusCode: 202);
        });
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
        // One instance of the directory does not answer: the status says so and is red, not merely amber.
        Assert.StartsWith("live · Rebalancing · 1 instance(s) not answering · ", await page.Locator("#status").TextContentAsync());
        Assert.Equal("error", await page.Locator("#status").GetAttributeAsync("data-state"));

        var reasons = await page.Locator("#dlq .row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.reason + '=' + r.querySelector('.count').textContent)");
        Assert.Equal(["UnknownInstrument=7", "InvalidQuantity=2"], reasons);

        // Gaps come from GET /gaps (every instance), polled apart from the state: wait for the first answer.
        await page.WaitForFunctionAsync("() => document.querySelector('#gaps tbody tr:not(.empty)') !== null");
        var gaps = await page.Locator("#gaps tbody tr td").AllTextContentsAsync();
        Assert.Equal(["ACC-7", "42", "3"], gaps.Take(3));
        Assert.Equal("127.0.0.1:5002", gaps[4]);
        Assert.Equal("1+", await page.Locator("#now-gaps").TextContentAsync());
        Assert.Contains("127.0.0.1:5003", await page.Locator("#gaps-unreachable").TextContentAsync());

        var instances = await CellsAsync(page, "#instances");
        Assert.Equal(2, instances.Count);
        Assert.Equal(["127.0.0.1:5001 (this)", "Rebalancing", "17", "219", "209", "15", "4", "trade-events 0-2, 5"], instances[0]);
        Assert.Equal("degraded", await page.Locator("#instances tbody tr >> nth=0 >> td.state").GetAttributeAsync("data-health"));
        Assert.Equal(_downInstance, instances[1][0]);
        Assert.StartsWith("not answering: HttpRequestException", instances[1][1]);
        Assert.Equal("error", await page.Locator("#instances tbody tr >> nth=1 >> td.state").GetAttributeAsync("data-health"));
        Assert.Equal(["–", "–", "–", "–", "2", "trade-events 3-4"], instances[1][2..]);
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

    [Fact]
    public async Task LedgerShowsBalancesPerAccountAndCurrencyAndTheCheckGreenOrRed()
    {
        var page = await OpenAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#ledger-currencies tbody tr:not(.empty)') !== null");

        var currencies = await CellsAsync(page, "#ledger-currencies");
        Assert.Equal(["GBP", "1", "-723.50000000", "723.50000000", "0.00000000", "723.50000000", "700.00000000", "✘ NOT balanced"], currencies[0]);
        Assert.Equal(["USD", "2", "1,234,567.50000000", "-1,234,767.50000000", "-200.00000000", "2,400.00000000", "2,400.00000000", "✔ balanced"], currencies[1]);
        Assert.Equal(["false", "true"], await page.Locator("#ledger-currencies td.check").EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.balanced)"));
        // Green and red come from the stylesheet, beside the words.
        Assert.Equal(["rgb(220, 38, 38)", "rgb(22, 163, 74)"], await page.Locator("#ledger-currencies td.check").EvaluateAllAsync<string[]>("cs => cs.map(c => getComputedStyle(c).color)"));
        Assert.Equal("✘ NOT balanced", await page.Locator("#now-ledger").TextContentAsync());
        Assert.Equal("false", await page.Locator("#now-ledger").GetAttributeAsync("data-balanced"));
        var note = await page.Locator("#ledger-note").TextContentAsync();
        Assert.Contains("Incomplete", note);
        Assert.Contains("127.0.0.1:5003", note);
        Assert.Contains("Showing 3 of 4 balances.", note);

        var accounts = await CellsAsync(page, "#ledger-accounts");
        Assert.Equal(3, accounts.Count);
        Assert.Equal(["ACC-1", "USD", "200.00000000", "0.00000000", "200.00000000", "3", "✔ balanced"], accounts[1]);

        // One account: the filter reaches the API as accountId.
        await page.FillAsync("#ledger-account", "ACC-42");
        await page.ClickAsync("#ledger-form button");
        await page.WaitForFunctionAsync("() => document.querySelector('#ledger-accounts tbody td')?.textContent === 'ACC-42'");
        Assert.Equal("✔ balanced", await page.Locator("#now-ledger").TextContentAsync());
        Assert.Equal("", await page.Locator("#ledger-note").TextContentAsync());
        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task LadderExposuresInstrumentsAndAlertsFillTheirTables()
    {
        var page = await OpenAsync();
        await page.WaitForFunctionAsync(
            "() => ['#ladder', '#top-positions', '#instruments', '#alerts'].every(t => document.querySelector(t + ' tbody tr:not(.empty)') !== null)");

        Assert.Equal(
            [
                ["2026-12-02", "USD", "0", "2", "5", "300.00000000", "0.00000000", "-300.00000000"],
                ["2026-12-04", "EUR", "7", "0", "0", "1,000.00000000", "2,500.25000000", "1,500.25000000"],
            ],
            await CellsAsync(page, "#ladder"));
        Assert.Contains("2026-12-01", await page.Locator("#ladder-from").TextContentAsync());

        Assert.Equal([["USD", "3", "19,000.00000000", "-1,230,000.00000000", "1,249,000.00000000", "-1,211,000.00000000", "1"]],
            await CellsAsync(page, "#exposure-currencies"));
        var top = await CellsAsync(page, "#top-positions");
        Assert.Equal(["ACC-2", "MSFT (Microsoft)", "-3,000.00000000", "410.00000000", "-1,230,000.00000000", "-1,500.00000000", "USD"], top[0]);
        Assert.Equal(["ACC-1", "AAPL"], top[1][..2]);

        var instruments = await CellsAsync(page, "#instruments");
        Assert.Equal(["AAPL", "AAPL", "USD", "EQUITY", "190.00000000"], instruments[0][..5]);
        Assert.Equal(["VOD", "VOD.L", "GBP", "EQUITY", "0.72350000"], instruments[1][..5]);

        var alerts = await CellsAsync(page, "#alerts");
        Assert.Equal(["ERROR", "SEQUENCE_GAP_OPEN", "ACC-7", "Account ACC-7 waits for sequence 42 to 43."], alerts[0][1..]);
        Assert.Equal(["INFO", "SEQUENCE_GAP_RESOLVED", "ACC-9"], alerts[1][1..4]);
        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task ADeadLetterIsReDrivenFromThePageWithTheApiKey()
    {
        var page = await OpenAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#dlq-letters button.redrive') !== null");
        var letters = await CellsAsync(page, "#dlq-letters");
        Assert.Equal(["3:17", "UnknownInstrument", "ACC-3", "T-17", "Instrument NEW1 is not in the instrument table.", "Re-drive"], letters[0].Where((_, i) => i != 1));
        // A letter without an account (never decoded) cannot be re-driven from here.
        Assert.True(await page.Locator("#dlq-letters button[data-id='0:2']").IsDisabledAsync());
        Assert.Equal("9 in the topic, latest first", await page.Locator("#dlq-total").TextContentAsync());

        await page.FillAsync("#api-key", "desk-key-0123456789");
        await page.GetByRole(AriaRole.Button, new() { Name = "Re-drive dead letter 3:17" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('dlq-result').dataset.status === 'redriven'");

        Assert.Equal("Re-driven 3:17: published as sequence 9 of ACC-3", await page.Locator("#dlq-result").TextContentAsync());
        lock (_writes)
        {
            Assert.Equal(["POST /dlq/redrive key=desk-key-0123456789 {\"ids\":[\"3:17\"]}"], _writes);
        }

        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task AGapIsResolvedFromThePageNamingTheOperatorAndReason()
    {
        var page = await OpenAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#gaps button.resolve') !== null");

        await page.FillAsync("#gap-operator", "j.doe");
        await page.FillAsync("#gap-reason", "client confirmed 42 and 43 were never sent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resolve the gap of ACC-7 at sequence 42" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('gap-result').dataset.status === 'accepted'");

        Assert.Contains("Resolution of ACC-7 at sequence 42 sent (command cmd-1)", await page.Locator("#gap-result").TextContentAsync());
        lock (_writes)
        {
            Assert.Equal(["POST /accounts/ACC-7/gaps/resolve?expectedSequence=42&requestedBy=j.doe&reason=client+confirmed+42+and+43+were+never+sent key="], _writes);
        }

        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task EveryPanelHasAHeadingEveryTableColumnHeadersEveryInputALabelAndNoFileComesFromElsewhere()
    {
        var page = await OpenAsync();
        var problems = await page.EvaluateAsync<string[]>(
            """
            () => [
              ...[...document.querySelectorAll('table')].filter(t => t.querySelectorAll('thead th[scope=col]').length === 0).map(t => 'table without headers: ' + t.id),
              ...[...document.querySelectorAll('input')].filter(i => !document.querySelector(`label[for="${i.id}"]`)).map(i => 'input without label: ' + i.id),
              ...[...document.querySelectorAll('section.card')].filter(s => !s.querySelector('h2')).map(s => 'panel without heading: ' + s.outerHTML.slice(0, 60)),
              ...[...document.querySelectorAll('script[src], link[href]')].map(e => e.getAttribute('src') || e.getAttribute('href')).filter(u => /^(https?:)?\/\//.test(u)).map(u => 'external file: ' + u),
            ]
            """);
        Assert.Empty(problems);
    }

    private static async Task<List<string[]>> CellsAsync(IPage page, string table) =>
        [.. await page.Locator(table + " tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.cells].map(c => c.textContent))")];

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
    private sealed class FixedSource(string downInstance) : IDashboardSource
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
                    new DashboardInstance(downInstance, false,
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
