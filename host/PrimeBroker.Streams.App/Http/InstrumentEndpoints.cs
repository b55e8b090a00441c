using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Http;

/// <summary>The body of <c>PUT /instruments/{id}</c>: the instrument's reference data and price. Fields left out keep
/// their current value from this instance's instrument table, so <c>{"price": 101.5}</c> is a price update.</summary>
/// <param name="Symbol">Display symbol.</param>
/// <param name="Currency">ISO 4217 code of the price.</param>
/// <param name="AssetClass">Asset class, e.g. <c>EQUITY</c>.</param>
/// <param name="Price">Price per unit; at most 8 decimal places.</param>
public sealed record InstrumentRequest(string? Symbol, string? Currency, string? AssetClass, decimal? Price);

/// <summary>An instrument as the API returns it.</summary>
/// <param name="InstrumentId">The instrument id.</param>
/// <param name="Symbol">Display symbol.</param>
/// <param name="Currency">ISO 4217 code of the price.</param>
/// <param name="AssetClass">Asset class.</param>
/// <param name="Price">Latest price per unit.</param>
/// <param name="UpdatedAt">When it was last updated (UTC).</param>
public sealed record InstrumentView(string InstrumentId, string Symbol, string Currency, string AssetClass, decimal Price, DateTimeOffset UpdatedAt);

/// <summary><c>GET /instruments/{id}</c> (this instance's global instrument table) and <c>PUT /instruments/{id}</c>
/// (writes the instrument to the instrument topic; every instance's table has it once the record is read).</summary>
public static class InstrumentEndpoints
{
    private static readonly JsonSerializerOptions s_json = MoneyJson.AddTo(new(JsonSerializerDefaults.Web));

    /// <summary>Maps the instrument endpoints on <paramref name="app"/>.</summary>
    public static WebApplication MapInstrumentApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/instruments").WithTags("Instruments");
        group.MapGet("/{instrumentId}", GetInstrument)
            .WithSummary("An instrument's reference data and latest price, from this instance's instrument table.")
            .Produces<InstrumentView>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{instrumentId}", PutInstrumentAsync)
            .WithSummary("Writes an instrument's reference data or price to the instrument topic; fields left out keep their current value.")
            .Accepts<InstrumentRequest>("application/json")
            .Produces<InstrumentView>(StatusCodes.Status202Accepted).ProducesValidationProblem();
        return app;
    }

    private static IResult GetInstrument(string instrumentId, BrokerageQueries queries) =>
        queries.InstrumentOf(instrumentId) is { } i
            ? Results.Ok(new InstrumentView(i.InstrumentId, i.Symbol, i.Currency, i.AssetClass, i.Price, i.UpdatedAt))
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No instrument '{instrumentId}' here.");

    private static async Task<IResult> PutInstrumentAsync(string instrumentId, HttpContext context, BrokerageQueries queries, InstrumentPublisher publisher)
    {
        InstrumentRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<InstrumentRequest>(context.Request.Body, s_json, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"Not a valid instrument JSON object: {e.Message}"] });
        }

        var current = queries.InstrumentOf(instrumentId);
        var row = new InstrumentRow(instrumentId, request?.Symbol ?? current?.Symbol, request?.Currency ?? current?.Currency,
            request?.AssetClass ?? current?.AssetClass, request?.Price ?? current?.Price);
        var problems = row.Problems().ToArray();
        if (problems.Length > 0)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["instrument"] = problems }, title: "The instrument is invalid.");
        }

        var record = row.ToRecord(DateTime.UtcNow);
        await publisher.PublishAsync([record], context.RequestAborted);
        return Results.Accepted($"/instruments/{instrumentId}",
            new InstrumentView(instrumentId, record.symbol, record.currency, record.assetClass.ToString(), row.Price!.Value, record.timestamp));
    }
}
