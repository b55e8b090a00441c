using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.SchemaRegistry;
using Microsoft.Playwright;
using PrimeBroker.Streams.App.Tests.Commands;
using PrimeBroker.Streams.Brokerage.Publishing;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.App.Tests.Dashboard;

/// <summary>
/// The operations desk's panels against a real instance (in-process <c>run</c> on a <c>dev-cluster</c>, the real
/// endpoints and stores): trades booked through the API show as balanced ledger balances, settlement ladder rungs,
/// exposures and prices; a dead letter is re-driven and a sequence gap resolved by clicking on the page, and the API then
/// answers with the positions they booked.
/// </summary>
public sealed class OperationsDeskTests(DevClusterFixture cluster, HeadlessChromium chromium) : IClassFixture<DevClusterFixture>, IClassFixture<HeadlessChromium>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);
    private const float DataTimeoutMs = 90_000;

    [Fact]
    public async Task BookedTradesShowOnEveryPanelAndADeadLetterAndAGapAreFixedFromThePage()
    {
        await using var instance = await InProcessInstance.StartAsync(cluster, []);
        await PutInstrumentAsync(instance, "DSK-A", "USD", 10m);
        await PutInstrumentAsync(instance, "DSK-B", "EUR", 20m);
        await PostTradeAsync(instance, "DT-1", "ACC-D1", "DSK-A", "BUY", 10m, 9.5m, "USD");
        await PostTradeAsync(instance, "DT-2", "ACC-D1", "DSK-A", "SELL", 4m, 11m, "USD");
        await PostTradeAsync(instance, "DT-3", "ACC-D2", "DSK-B", "BUY", 3m, 19m, "EUR");
        await PostTradeAsync(instance, "DT-4", "ACC-D3", "DSK-NEW", "BUY", 1m, 5m, "USD"); // dead-lettered: UnknownInstrument
        // An upstream system that skipped number 1 of ACC-D4: its trade 2 is held behind a gap.
        using (var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = cluster.Info.SchemaRegistryUrl }))
        await using (var upstream = await TradePublisher.StartAsync(new TradePublisherOptions { BootstrapServers = cluster.Info.BootstrapServers }, registry))
        {
            await upstream.PublishAsIsAsync("ACC-D4", new TradeCreated
            {
                tradeId = "DT-5", accountId = "ACC-D4", instrumentId = "DSK-A", quantity = Money.ToAvro(2m), price = Money.ToAvro(10m), currency = "USD",
                side = TradeSide.BUY, timestamp = DateTime.UtcNow, idempotencyKey = "dt-5", sequenceNumber = 2,
            }, sequenceNumber: 2, idempotencyKey: "dt-5").WaitAsync(s_timeout);
        }

        await instance.PositionAsync("ACC-D2", "DSK-B");
        var errors = new List<string>();
        var page = await chromium.NewPageAsync(errors);
        await page.GotoAsync(instance.Http.BaseAddress + "");
        try
        {
            // Ledger: ACC-D1 bought 10 @ 9.5 and sold 4 @ 11: cash −95 + 44, securities 95 − 44 + 6 at cost, a gain of 6.
            await WaitAsync(page, "() => [...document.querySelectorAll('#ledger-accounts tbody tr')].some(r => r.cells[0]?.textContent === 'ACC-D1' && r.cells[5]?.textContent === '3')");
            var d1 = (await CellsAsync(page, "#ledger-accounts")).Single(r => r[0] == "ACC-D1");
            Assert.Equal(["ACC-D1", "USD", "-51.00000000", "57.00000000", "6.00000000", "3", "✔ balanced"], d1);
            var currencies = await CellsAsync(page, "#ledger-currencies");
            Assert.Equal(["EUR", "USD"], currencies.Select(c => c[0]));
            Assert.All(currencies, c => Assert.Equal("✔ balanced", c[7]));
            Assert.Equal("✔ balanced", await page.Locator("#now-ledger").TextContentAsync());
            // One instance holding every partition: the view is the whole book.
            Assert.Equal("true", await page.Locator("#ledger-note").GetAttributeAsync("data-complete"));

            // Ladder: the three booked trades settle T+2, nothing settled yet; cash to pay and receive per currency.
            await WaitAsync(page, "() => document.querySelectorAll('#ladder tbody tr:not(.empty)').length === 2");
            var ladder = await CellsAsync(page, "#ladder");
            Assert.Equal(["EUR", "1", "0", "0", "57.00000000", "0.00000000", "-57.00000000"], ladder[0][1..]);
            Assert.Equal(["USD", "2", "0", "0", "95.00000000", "44.00000000", "-51.00000000"], ladder[1][1..]);

            // Exposures at the instrument table's prices: 6 DSK-A at 10 USD, 3 DSK-B at 20 EUR.
            await WaitAsync(page, "() => document.querySelectorAll('#top-positions tbody tr:not(.empty)').length === 2");
            var top = await CellsAsync(page, "#top-positions");
            Assert.Equal(["ACC-D1", "DSK-A", "6.00000000", "10.00000000", "60.00000000", "3.00000000", "USD"], top[0]);
            Assert.Equal(["ACC-D2", "DSK-B", "3.00000000", "20.00000000", "60.00000000", "3.00000000", "EUR"], top[1]);
            Assert.Contains(await CellsAsync(page, "#instruments"), r => r[0] == "DSK-A" && r[4] == "10.00000000");
            var instances = await CellsAsync(page, "#instances");
            Assert.Equal([$"127.0.0.1:{instance.Port} (this)", "Running"], Assert.Single(instances)[..2]);

            // Re-drive from the page once the instrument exists: the trade books.
            await PutInstrumentAsync(instance, "DSK-NEW", "USD", 5m);
            await page.FillAsync("#dlq-reason", "UnknownInstrument");
            await page.ClickAsync("#dlq-form button");
            await WaitAsync(page, "() => [...document.querySelectorAll('#dlq-letters tbody tr')].some(r => r.cells[3]?.textContent === 'ACC-D3')");
            var letter = (await CellsAsync(page, "#dlq-letters")).Single(r => r[3] == "ACC-D3")[0];
            await page.GetByRole(AriaRole.Button, new() { Name = $"Re-drive dead letter {letter}" }).ClickAsync();
            await WaitAsync(page, "() => document.getElementById('dlq-result').dataset.status === 'redriven'");
            Assert.Equal(1m, (await instance.PositionAsync("ACC-D3", "DSK-NEW")).GetProperty("quantity").Money());

            // Resolve ACC-D4's gap from the page: its held trade is released and the resolution is audited on alerts.
            await WaitAsync(page, "() => document.querySelector('#gaps button.resolve[data-account=\"ACC-D4\"]') !== null");
            Assert.Equal(["ACC-D4", "1", "1"], (await CellsAsync(page, "#gaps")).Single(r => r[0] == "ACC-D4")[..3]);
            await page.FillAsync("#gap-operator", "desk test");
            await page.FillAsync("#gap-reason", "upstream confirmed number 1 was never sent");
            await page.GetByRole(AriaRole.Button, new() { Name = "Resolve the gap of ACC-D4 at sequence 1" }).ClickAsync();
            await WaitAsync(page, "() => document.getElementById('gap-result').dataset.status === 'accepted'");
            Assert.Equal(2m, (await instance.PositionAsync("ACC-D4", "DSK-A")).GetProperty("quantity").Money());
            await WaitAsync(page, "() => [...document.querySelectorAll('#alerts tbody tr')].some(r => r.cells[2]?.textContent === 'SEQUENCE_GAP_RESOLVED' && r.cells[3]?.textContent === 'ACC-D4')");
            await WaitAsync(page, "() => ![...document.querySelectorAll('#gaps tbody tr')].some(r => r.cells[0]?.textContent === 'ACC-D4')");
            Assert.DoesNotContain(errors, e => !e.Contains("the server responded with a status of", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nBrowser errors: {string.Join(" | ", errors)}\ninstance errors:\n{instance.Error}");
        }
    }

    private static Task WaitAsync(IPage page, string condition) =>
        page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions { Timeout = DataTimeoutMs });

    private static async Task<List<string[]>> CellsAsync(IPage page, string table) =>
        [.. await page.Locator(table + " tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.cells].map(c => c.textContent))")];

    private static async Task PutInstrumentAsync(InProcessInstance instance, string id, string currency, decimal price)
    {
        using (var put = await instance.Http.PutAsJsonAsync($"/instruments/{id}", new { symbol = id, currency, assetClass = "EQUITY", price }))
        {
            Assert.True(put.StatusCode == HttpStatusCode.Accepted, await put.Content.ReadAsStringAsync());
        }

        await instance.WaitUntilAsync(async () => (await instance.Http.GetAsync($"/instruments/{id}")).StatusCode == HttpStatusCode.OK, () => $"instrument {id} in the table");
    }

    private static async Task PostTradeAsync(InProcessInstance instance, string tradeId, string account, string instrument, string side, decimal quantity,
        decimal price, string currency)
    {
        using var response = await instance.Http.PostAsJsonAsync("/trades", new { tradeId, accountId = account, instrumentId = instrument, quantity, price, currency, side });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }
}
