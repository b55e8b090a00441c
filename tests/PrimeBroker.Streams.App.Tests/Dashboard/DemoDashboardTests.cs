using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace PrimeBroker.Streams.App.Tests.Dashboard;

/// <summary>
/// The dashboard of a running <c>demo</c> (the built program as a separate process, generating trades) in headless
/// Chromium: both charts draw from live data, the panels fill, and the lookup box answers with the API's positions.
/// Every wait is bounded; nothing depends on how fast the machine is beyond those bounds.
/// </summary>
public sealed class DemoDashboardTests(HeadlessChromium chromium, ITestOutputHelper log) : IClassFixture<HeadlessChromium>
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(120);
    private static readonly string[] s_lines =
        ["#chart-trades polyline[data-series=in]", "#chart-trades polyline[data-series=applied]", "#chart-latency polyline[data-series=p50]"];

    // Bound of waiting for live data (the first applied trades came 26-28 s after the URL was printed in runs on the
    // shared 2-core build machine): the charts need per-second samples with trades applied.
    private const float LiveDataTimeoutMs = 120_000;

    [Fact]
    public async Task ChartsDrawFromLiveDataAndTheLookupAnswersLikeTheApi()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var demo = DemoProcess.Start("--accounts", "20", "--instruments", "5", "--rate", "200");
        await demo.WaitForOutputAsync($"dashboard: {demo.BaseUrl}/", s_startTimeout);
        var errors = new List<string>();
        var page = await chromium.NewPageAsync(errors);

        try
        {
            await page.GotoAsync(demo.BaseUrl + "/");

            log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: dashboard URL printed, page loaded");

            // Both chart lines of trades/s and at least the p50 latency line have at least two points drawn, and the
            // trades line has risen above the zero baseline (y = 176): trades were drawn, not only the empty start.
            await page.WaitForFunctionAsync(
                """
                selectors => selectors.every(s => {
                    const l = document.querySelector(s);
                    return l && l.getAttribute('points').trim().split(' ').length >= 2; })
                  && [...document.querySelectorAll('#chart-trades polyline[data-series=applied]')]
                    .some(l => l.getAttribute('points').trim().split(' ').some(p => Number(p.split(',')[1]) < 175))
                """,
                s_lines, new PageWaitForFunctionOptions { Timeout = LiveDataTimeoutMs });
            log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: charts drawn");
            foreach (var series in s_lines)
            {
                var points = (await page.Locator(series).First.GetAttributeAsync("points"))!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.All(points, p =>
                {
                    var xy = p.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                    Assert.InRange(xy[0], 52, 630); // inside the plot area of the 640 x 200 view box
                    Assert.InRange(xy[1], 10, 176);
                });
            }

            Assert.NotEqual("–", await page.Locator("#now-trades-in").TextContentAsync());
            Assert.StartsWith("live · Running", await page.Locator("#status").TextContentAsync());
            // This instance announces itself with the partitions it owns: all of trade-events', as it is alone.
            var partitions = Brokerage.PrimeBrokerTopics.All.Single(t => t.Name == Brokerage.PrimeBrokerTopics.TradeEvents).Partitions;
            var instances = await page.Locator("#instances tbody tr").AllTextContentsAsync();
            Assert.Single(instances);
            Assert.Contains("(this)", instances[0]);
            Assert.Contains($"trade-events 0-{partitions - 1}", instances[0]);

            // The gaps panel got its answer from GET /gaps, with every instance answering.
            await page.WaitForFunctionAsync("() => /^[0-9]+$/.test(document.getElementById('now-gaps').textContent)");
            Assert.Equal("", await page.Locator("#gaps-unreachable").TextContentAsync());

            // The book-wide panels of a live demo: every currency's ledger balances (debits = credits), prices of the
            // five seeded instruments, the ladder of trades settling T+2 and positions valued at those prices.
            await page.WaitForFunctionAsync(
                "() => document.getElementById('now-ledger').dataset.balanced !== '' && document.querySelectorAll('#instruments tbody tr:not(.empty)').length === 5" +
                " && document.querySelector('#ladder tbody tr:not(.empty)') !== null && document.querySelector('#top-positions tbody tr:not(.empty)') !== null",
                null, new PageWaitForFunctionOptions { Timeout = LiveDataTimeoutMs });
            Assert.Equal("true", await page.Locator("#now-ledger").GetAttributeAsync("data-balanced"));
            Assert.All(await page.Locator("#ledger-currencies td.check").AllTextContentsAsync(), c => Assert.Equal("✔ balanced", c));

            var account = "ACC-00001";
            var shown = await LookUpUntilAnsweredAsync(page, account);
            log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: lookup answered with {shown.Count} position(s)");
            using var http = new HttpClient { BaseAddress = new Uri(demo.BaseUrl) };
            var api = await http.GetFromJsonAsync<JsonElement>($"/positions/{account}");
            var apiInstruments = Positions(api).Select(p => p.GetProperty("instrumentId").GetString()).ToHashSet();
            // Positions only ever gain instruments, so what the page showed a moment ago is in the API's answer now.
            Assert.NotEmpty(shown);
            Assert.All(shown, instrument => Assert.Contains(instrument, apiInstruments));
            Assert.DoesNotContain(errors, e => !e.Contains("the server responded with a status of", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nBrowser errors: {string.Join(" | ", errors)}\ndemo output:\n{demo.Output}");
        }
    }

    /// <summary>Looks the account up until the page shows its positions (the account may have no trade applied yet, or
    /// partitions may be moving: 404/503 are retried within the bound); returns the instruments in the table.</summary>
    private static async Task<List<string>> LookUpUntilAnsweredAsync(IPage page, string account)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(LiveDataTimeoutMs);
        while (true)
        {
            await page.EvaluateAsync("() => delete document.getElementById('lookup-result').dataset.status");
            await page.FillAsync("#lookup-account", account);
            await page.ClickAsync("#lookup-form button");
            await page.WaitForFunctionAsync("() => document.getElementById('lookup-result').dataset.status !== undefined");
            var status = await page.Locator("#lookup-result").GetAttributeAsync("data-status");
            if (status == "200")
            {
                return (await page.Locator("#lookup-table tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.instrument)")).ToList();
            }

            Assert.True(status is "404" or "503", $"lookup of {account} answered {status}: {await page.Locator("#lookup-result").TextContentAsync()}");
            Assert.True(DateTime.UtcNow < deadline, $"lookup of {account} still answered {status} after {LiveDataTimeoutMs / 1000:0} s");
        }
    }

    private static IEnumerable<JsonElement> Positions(JsonElement body) =>
        body.ValueKind == JsonValueKind.Array ? body.EnumerateArray() : body.GetProperty("positions").EnumerateArray();
}
