using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace PrimeBroker.Streams.App.Tests.Commands;

/// <summary><c>instruments</c> and <c>PUT /instruments/{id}</c> against an in-process <c>dev-cluster</c> and <c>run</c>
/// instance: a loaded file makes the trades that need its instruments book; prices update from the command and the API.</summary>
public sealed class InstrumentsCommandTests(DevClusterFixture cluster) : IClassFixture<DevClusterFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task LoadedInstrumentsLetTheirTradesBookAndPricesUpdateFromTheCommandAndTheApi()
    {
        var file = Path.Combine(Scratch.NewDirectory("instruments"), "instruments.csv");
        await File.WriteAllTextAsync(file, """
            # the desk's reference data
            instrumentId,symbol,currency,assetClass,price
            BOND-DE-10Y,DE10Y,EUR,FIXED_INCOME,98.125
            EQ-ACME,ACME,USD,EQUITY,41.5
            """);
        await using var instance = await InProcessInstance.StartAsync(cluster, []);

        var load = await cluster.RunAsync(s_timeout, "instruments", "--file", file);

        Assert.True(load.ExitCode == 0, load.Error);
        Assert.Contains("published BOND-DE-10Y", load.Output, StringComparison.Ordinal);
        Assert.Contains("2 instruments written to instrument-events", load.Output, StringComparison.Ordinal);
        await InstrumentPriceIsAsync(instance, "EQ-ACME", 41.5m);

        // Trades on the loaded instruments book (before the load they would be dead-lettered as UnknownInstrument).
        await PostTradeAsync(instance, "T-1", "ACC-71001", "EQ-ACME", 10m, 40m, "USD");
        await PostTradeAsync(instance, "T-2", "ACC-71001", "BOND-DE-10Y", 5m, 98m, "EUR");
        var position = await instance.PositionAsync("ACC-71001", "EQ-ACME");
        Assert.Equal(10m, position.GetProperty("quantity").Money());
        Assert.Equal(41.5m, position.GetProperty("marketPrice").Money());
        Assert.Equal(5m, (await instance.PositionAsync("ACC-71001", "BOND-DE-10Y")).GetProperty("quantity").Money());
        Assert.Equal(0, (await instance.Http.GetFromJsonAsync<JsonElement>("/dlq")).GetProperty("total").GetInt32());

        // A price update from the command keeps the rest of the reference data.
        var price = await cluster.RunAsync(s_timeout, "instruments", "--price", "EQ-ACME=45.25");
        Assert.True(price.ExitCode == 0, price.Error);
        await InstrumentPriceIsAsync(instance, "EQ-ACME", 45.25m);
        var acme = await instance.Http.GetFromJsonAsync<JsonElement>("/instruments/EQ-ACME");
        Assert.Equal("ACME", acme.GetProperty("symbol").GetString());
        Assert.Equal("EQUITY", acme.GetProperty("assetClass").GetString());

        // ... and one from the API.
        using (var put = await instance.Http.PutAsJsonAsync("/instruments/BOND-DE-10Y", new { price = 97.75m }))
        {
            Assert.True(put.StatusCode == HttpStatusCode.Accepted, await put.Content.ReadAsStringAsync());
        }

        await InstrumentPriceIsAsync(instance, "BOND-DE-10Y", 97.75m);
        Assert.Equal("EUR", (await instance.Http.GetFromJsonAsync<JsonElement>("/instruments/BOND-DE-10Y")).GetProperty("currency").GetString());

        // An unknown instrument cannot get a price without its reference data.
        var unknown = await cluster.RunAsync(s_timeout, "instruments", "--price", "EQ-NOPE=1");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No reference data for EQ-NOPE", unknown.Error, StringComparison.Ordinal);
        using var invalid = await instance.Http.PutAsJsonAsync("/instruments/EQ-NEW", new { price = 1.5m });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("symbol is required", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidFileIsRefusedNamingEveryBadLineAndNothingIsWritten()
    {
        var file = Path.Combine(Scratch.NewDirectory("instruments"), "bad.csv");
        await File.WriteAllTextAsync(file, "instrumentId,symbol,currency,assetClass,price\nX-1,X,usd,EQUITY,1\nX-2,Y,USD,SHARES,0.000000001\n");

        var load = await cluster.RunAsync(s_timeout, "instruments", "--file", file);

        Assert.Equal(1, load.ExitCode);
        Assert.Contains("line 2: currency must be three upper-case letters", load.Error, StringComparison.Ordinal);
        Assert.Contains("line 3: assetClass must be one of", load.Error, StringComparison.Ordinal);
        Assert.Contains("line 3: price 0.000000001 has more than 8 decimal places", load.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("published", load.Output, StringComparison.Ordinal);
    }

    private static async Task PostTradeAsync(InProcessInstance instance, string tradeId, string account, string instrument, decimal quantity, decimal price, string currency)
    {
        using var response = await instance.Http.PostAsJsonAsync("/trades", new
        {
            tradeId, accountId = account, instrumentId = instrument, quantity, price, currency, side = "BUY",
        });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    private static Task InstrumentPriceIsAsync(InProcessInstance instance, string instrument, decimal price)
    {
        var last = "";
        return instance.WaitUntilAsync(async () =>
        {
            using var response = await instance.Http.GetAsync($"/instruments/{instrument}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("price").Money() == price;
        }, () => $"{instrument} at {price} (last: {last})");
    }
}
