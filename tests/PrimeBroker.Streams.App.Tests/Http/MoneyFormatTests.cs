using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.App.Http;
using PrimeBroker.Streams.App.Tests.Commands;

namespace PrimeBroker.Streams.App.Tests.Http;

/// <summary>One decimal format in every answer of the API (<see cref="MoneyJson"/>): a string with eight places, so a
/// client in any language reads it exactly; requests take strings or numbers.</summary>
public sealed class MoneyFormatTests(DevClusterFixture cluster) : IClassFixture<DevClusterFixture>
{
    /// <summary>The integers of the answers; every other JSON number would be a decimal written as a number.</summary>
    private static readonly HashSet<string> s_integers = ["lastSequenceNumber", "sequenceNumber", "partition", "offset"];

    [Theory]
    [InlineData("9.88", "9.88000000")]
    [InlineData("119.39", "119.39000000")]
    [InlineData("-40", "-40.00000000")]
    [InlineData("0.123456775", "0.12345678")] // half-even: ...7|5 rounds up to the even 8
    [InlineData("0.123456785", "0.12345678")] // half-even: ...8|5 stays on the even 8
    [InlineData("12345678901234567890.12345678", "12345678901234567890.12345678")] // decimal(28,8) at full width, exact
    public void EveryDecimalIsWrittenAsAStringWithEightPlaces(string value, string expected)
    {
        var options = MoneyJson.AddTo(new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Equal($"{{\"amount\":\"{expected}\",\"none\":null}}",
            JsonSerializer.Serialize(new { amount = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), none = (decimal?)null }, options));
    }

    [Fact]
    public void RequestsMayGiveADecimalAsAStringOrANumber()
    {
        var options = MoneyJson.AddTo(new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Equal(0.1m, JsonSerializer.Deserialize<TradeRequest>("""{"price":"0.1"}""", options)!.Price);
        Assert.Equal(0.1m, JsonSerializer.Deserialize<TradeRequest>("""{"price":0.1}""", options)!.Price);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TradeRequest>("""{"price":"1e3"}""", options));
    }

    [Fact]
    public async Task PositionsAndInstrumentsAnswerEveryAmountInTheOneFormat()
    {
        var file = Path.Combine(Scratch.NewDirectory("instruments"), "instruments.csv");
        await File.WriteAllTextAsync(file, "instrumentId,symbol,currency,assetClass,price\nEQ-MF01,MF1,USD,EQUITY,119.39\n");
        var load = await cluster.RunAsync(Probe.Timeout, "instruments", "--file", file);
        Assert.True(load.ExitCode == HostCommandLine.Success, load.Error);
        await using var instance = await InProcessInstance.StartAsync(cluster, []);

        using (var accepted = await instance.Http.PostAsJsonAsync("/trades", new
        {
            tradeId = "T-MF-1", accountId = "ACC-MF001", instrumentId = "EQ-MF01", quantity = "3", price = "9.88", currency = "USD", side = "BUY",
        }))
        {
            var body = await accepted.Content.ReadAsStringAsync();
            Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, body);
            AssertOneFormat(body);
        }

        var last = "";
        await instance.WaitUntilAsync(async () =>
        {
            using var response = await instance.Http.GetAsync("/positions/ACC-MF001");
            last = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK;
        }, () => $"the position (last: {last})");

        AssertOneFormat(last);
        var position = JsonDocument.Parse(last).RootElement.GetProperty("positions")[0];
        Assert.Equal("3.00000000", position.GetProperty("quantity").GetString());
        Assert.Equal("9.88000000", position.GetProperty("averageCost").GetString());
        Assert.Equal("119.39000000", position.GetProperty("marketPrice").GetString());
        Assert.Equal("358.17000000", position.GetProperty("marketValue").GetString());
        AssertOneFormat(await instance.Http.GetStringAsync("/positions/ACC-MF001/EQ-MF01"));
        var instrument = await instance.Http.GetStringAsync("/instruments/EQ-MF01");
        AssertOneFormat(instrument);
        Assert.Equal("119.39000000", JsonDocument.Parse(instrument).RootElement.GetProperty("price").GetString());

        // The OpenAPI document says so: a decimal is a string of format "decimal".
        var openApi = JsonDocument.Parse(await instance.Http.GetStringAsync("/openapi/v1.json")).RootElement;
        var view = openApi.GetProperty("components").GetProperty("schemas").GetProperty("PositionView").GetProperty("properties");
        Assert.Equal("decimal", view.GetProperty("quantity").GetProperty("format").GetString());
        Assert.Contains("string", view.GetProperty("quantity").GetProperty("type").ToString(), StringComparison.Ordinal);
    }

    /// <summary>No decimal written as a JSON number anywhere in <paramref name="json"/>; every amount field a string
    /// with eight places.</summary>
    private static void AssertOneFormat(string json)
    {
        Walk(JsonDocument.Parse(json).RootElement, "$");

        void Walk(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Value.ValueKind == JsonValueKind.Number)
                        {
                            Assert.True(s_integers.Contains(property.Name) && property.Value.TryGetInt64(out _),
                                $"{path}.{property.Name} is a JSON number ({property.Value}), not the API's decimal string: {json}");
                        }
                        else if (property.Name is "quantity" or "averageCost" or "realizedPnl" or "marketPrice" or "marketValue" or "unrealizedPnl" or "price"
                                 && property.Value.ValueKind != JsonValueKind.Null)
                        {
                            _ = property.Value.Money();
                        }

                        Walk(property.Value, $"{path}.{property.Name}");
                    }

                    break;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        Walk(item, $"{path}[{i++}]");
                    }

                    break;
            }
        }
    }
}
