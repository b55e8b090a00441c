using System.Globalization;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PrimeBroker.Streams.App.DeadLetters;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Http;

/// <summary>
/// The operations desk's read endpoints (the dashboard's panels): ledger balances and the debits = credits check, the
/// settlement ladder, exposures by market value, the instrument price table and the alerts feed. Book-wide views are
/// gathered from every instance (<see cref="InstanceScatter"/>); each has a <c>/local</c> form, the part of one
/// instance, which the gather asks every instance for.
/// </summary>
internal static class BookEndpoints
{
    internal const int DefaultAccounts = 200;
    internal const int DefaultTop = 20;
    internal const int MaxRows = 5000;
    internal const int DefaultLadderLookbackDays = 3;

    internal static WebApplication MapBookApi(this WebApplication app)
    {
        var ledger = app.MapGroup("/ledger").WithTags("Ledger");
        ledger.MapGet("/balances", GetLedgerAsync)
            .WithSummary("Cash and ledger balances per account and currency from every instance, and debits = credits per currency across the book.")
            .Produces<LedgerView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        ledger.MapGet("/balances/local", GetLedgerPart)
            .WithSummary("This instance's part of the ledger balances (its tasks' accounts).")
            .Produces<LedgerPart>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var settlements = app.MapGroup("/settlements").WithTags("Settlements");
        settlements.MapGet("/ladder", GetLadderAsync)
            .WithSummary("The settlement ladder from every instance: per value date and currency, trades pending, failed and settled, cash to pay and receive.")
            .Produces<LadderView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        settlements.MapGet("/ladder/local", GetLadderPart)
            .WithSummary("This instance's part of the settlement ladder.")
            .Produces<LadderPart>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var exposures = app.MapGroup("/exposures").WithTags("Exposures");
        exposures.MapGet("", GetExposuresAsync)
            .WithSummary("The book's largest positions by absolute market value (quantity x the instrument table's price) and its long, short, gross and net exposure per currency, from every instance.")
            .Produces<ExposuresView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        exposures.MapGet("/local", GetExposurePart)
            .WithSummary("This instance's part of the exposures.")
            .Produces<ExposurePart>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/instruments", GetInstruments).WithTags("Instruments")
            .WithSummary("Every instrument with its latest price, from this instance's instrument table (a global table: the same on every instance).")
            .Produces<IReadOnlyList<InstrumentView>>();

        app.MapGet("/alerts", GetAlertsAsync).WithTags("Alerts")
            .WithSummary("The latest alerts of the alerts topic (gap opened or resolved, held-events limit, registry retries exhausted, conflicting duplicates), newest first.")
            .Produces<IReadOnlyList<AlertView>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> GetLedgerAsync(HttpContext context, InstanceScatter scatter, BrokerageQueries queries, string? accountId, int? limit)
    {
        if (Limit(limit, DefaultAccounts) is not { } rows)
        {
            return LimitProblem();
        }

        var query = QueryString.Create(new Dictionary<string, string?> { ["accountId"] = accountId, ["limit"] = rows.ToString(CultureInfo.InvariantCulture) }
            .Where(p => p.Value is not null));
        var gathered = await scatter.GatherAsync(context, "/ledger/balances/local" + query, () => LedgerPartOf(scatter, queries, accountId, rows));
        var currencies = gathered.Answers.SelectMany(a => a.Currencies).GroupBy(c => c.Currency, StringComparer.Ordinal)
            .Select(g => g.Aggregate((x, y) => x.Add(y))).OrderBy(c => c.Currency, StringComparer.Ordinal).ToList();
        var accounts = gathered.Answers.SelectMany(a => a.Accounts)
            .OrderBy(b => b.AccountId, StringComparer.Ordinal).ThenBy(b => b.Currency, StringComparer.Ordinal).Take(rows).ToList();
        return Results.Ok(new LedgerView(currencies, accounts, gathered.Answers.Sum(a => a.AccountBalances), gathered.Complete, gathered.Unreachable));
    }

    private static IResult GetLedgerPart(InstanceScatter scatter, BrokerageQueries queries, string? accountId, int? limit) =>
        Limit(limit, DefaultAccounts) is { } rows ? Results.Ok(LedgerPartOf(scatter, queries, accountId, rows)) : LimitProblem();

    private static LedgerPart LedgerPartOf(InstanceScatter scatter, BrokerageQueries queries, string? accountId, int rows)
    {
        var partitions = scatter.LocalPartitions();
        var all = string.IsNullOrEmpty(accountId) ? queries.LedgerBalances() : queries.LedgerBalancesOf(accountId);
        var currencies = all.GroupBy(b => b.Currency, StringComparer.Ordinal)
            .Select(g => new CurrencyLedgerView(g.Key, g.Count(), g.Sum(b => b.Cash), g.Sum(b => b.Securities), g.Sum(b => b.RealizedPnl),
                g.Sum(b => b.Debits), g.Sum(b => b.Credits), g.Count(b => !b.IsBalanced)))
            .ToList();
        return new LedgerPart(scatter.Self, partitions, currencies, [.. all.Take(rows).Select(b => LedgerBalanceView.From(b, scatter.Self))], all.Count);
    }

    private static async Task<IResult> GetLadderAsync(HttpContext context, InstanceScatter scatter, BrokerageQueries queries, DateOnly? from)
    {
        var start = from ?? Today().AddDays(-DefaultLadderLookbackDays);
        var gathered = await scatter.GatherAsync(context, $"/settlements/ladder/local?from={start:yyyy-MM-dd}", () => LadderPartOf(scatter, queries, start));
        var rows = gathered.Answers.SelectMany(a => a.Rows).GroupBy(r => (r.ValueDate, r.Currency))
            .Select(g => g.Aggregate((x, y) => x.Add(y)))
            .OrderBy(r => r.ValueDate).ThenBy(r => r.Currency, StringComparer.Ordinal).ToList();
        return Results.Ok(new LadderView(start, rows, gathered.Complete, gathered.Unreachable));
    }

    private static IResult GetLadderPart(InstanceScatter scatter, BrokerageQueries queries, DateOnly? from) =>
        Results.Ok(LadderPartOf(scatter, queries, from ?? Today().AddDays(-DefaultLadderLookbackDays)));

    private static LadderPart LadderPartOf(InstanceScatter scatter, BrokerageQueries queries, DateOnly from) =>
        new(scatter.Self, scatter.LocalPartitions(), queries.SettlementLadder(from));

    private static async Task<IResult> GetExposuresAsync(HttpContext context, InstanceScatter scatter, BrokerageQueries queries, int? top)
    {
        if (Limit(top, DefaultTop) is not { } rows)
        {
            return LimitProblem();
        }

        var gathered = await scatter.GatherAsync(context, $"/exposures/local?top={rows}", () => ExposurePartOf(scatter, queries, rows));
        // Each instance sent its own largest: the book's largest are among them.
        var largest = gathered.Answers.SelectMany(a => a.Top).OrderByDescending(e => Math.Abs(e.MarketValue ?? 0))
            .ThenBy(e => e.AccountId, StringComparer.Ordinal).ThenBy(e => e.InstrumentId, StringComparer.Ordinal).Take(rows).ToList();
        var currencies = gathered.Answers.SelectMany(a => a.Currencies).GroupBy(c => c.Currency, StringComparer.Ordinal)
            .Select(g => g.Aggregate((x, y) => x.Add(y))).OrderBy(c => c.Currency, StringComparer.Ordinal).ToList();
        return Results.Ok(new ExposuresView(largest, currencies, gathered.Complete, gathered.Unreachable));
    }

    private static IResult GetExposurePart(InstanceScatter scatter, BrokerageQueries queries, int? top) =>
        Limit(top, DefaultTop) is { } rows ? Results.Ok(ExposurePartOf(scatter, queries, rows)) : LimitProblem();

    private static ExposurePart ExposurePartOf(InstanceScatter scatter, BrokerageQueries queries, int rows)
    {
        var partitions = scatter.LocalPartitions();
        var instruments = queries.Instruments().ToDictionary(i => i.InstrumentId, StringComparer.Ordinal);
        var valued = new List<ExposureView>();
        var currencies = new Dictionary<string, CurrencyExposureView>(StringComparer.Ordinal);
        foreach (var p in queries.Positions().Where(p => p.Quantity != 0))
        {
            var i = instruments.GetValueOrDefault(p.InstrumentId);
            var view = new ExposureView(p.AccountId, p.InstrumentId, i?.Symbol, i?.AssetClass, p.Currency, p.Quantity, i?.Price,
                i is null ? null : p.MarketValue(i.Price), i is null ? null : p.UnrealizedPnl(i.Price), scatter.Self);
            var value = view.MarketValue ?? 0;
            var sum = new CurrencyExposureView(p.Currency, 1, Math.Max(value, 0), Math.Min(value, 0), i is null ? 1 : 0);
            currencies[p.Currency] = currencies.TryGetValue(p.Currency, out var so) ? so.Add(sum) : sum;
            if (i is not null)
            {
                valued.Add(view);
            }
        }

        var largest = valued.OrderByDescending(e => Math.Abs(e.MarketValue!.Value)).ThenBy(e => e.AccountId, StringComparer.Ordinal)
            .ThenBy(e => e.InstrumentId, StringComparer.Ordinal).Take(rows).ToList();
        return new ExposurePart(scatter.Self, partitions, largest, [.. currencies.Values.OrderBy(c => c.Currency, StringComparer.Ordinal)]);
    }

    private static IResult GetInstruments(BrokerageQueries queries) =>
        Results.Ok(queries.Instruments().Select(i => new InstrumentView(i.InstrumentId, i.Symbol, i.Currency, i.AssetClass, i.Price, i.UpdatedAt)).ToList());

    private static async Task<IResult> GetAlertsAsync(AlertReader reader, int? limit, string? severity, CancellationToken cancellationToken)
    {
        if (Limit(limit, 50) is not { } rows || rows > 1000)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["Between 1 and 1000."] });
        }

        try
        {
            // The tail of each partition: enough for the asked number even when they all landed on one partition.
            var alerts = await Task.Run(() => reader.ReadLatest(rows * 2, TimeSpan.FromSeconds(30), cancellationToken), cancellationToken);
            return Results.Ok(alerts.Where(a => severity is null || string.Equals(a.Severity, severity, StringComparison.OrdinalIgnoreCase)).Take(rows).ToList());
        }
        catch (Exception e) when (e is TimeoutException or KafkaException or InvalidOperationException)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The alerts topic cannot be read now", detail: e.Message);
        }
    }

    private static DateOnly Today() => DateOnly.FromDateTime(DateTime.UtcNow);

    private static int? Limit(int? asked, int fallback) => asked switch
    {
        null => fallback,
        >= 1 and <= MaxRows => asked,
        _ => null,
    };

    private static IResult LimitProblem() =>
        Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Between 1 and {MaxRows}."] });
}
