using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PrimeBroker.Streams.App.DeadLetters;
using PrimeBroker.Streams.App.Publishing;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Brokerage.Publishing;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Http;

/// <summary>The prime broker's HTTP API: positions (local or forwarded to the owner), trades, gaps, dead letters,
/// health, Prometheus metrics and the OpenAPI document.</summary>
public static class PrimeBrokerApi
{
    private static readonly JsonSerializerOptions s_json = MoneyJson.AddTo(new(JsonSerializerDefaults.Web));

    /// <summary>Maps every endpoint of the API on <paramref name="app"/> (the services come from
    /// <c>AddPrimeBroker</c>). Errors are JSON problem details.</summary>
    public static WebApplication MapPrimeBrokerApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();

        var positions = app.MapGroup("/positions").WithTags("Positions");
        positions.MapGet("/{accountId}", GetAccountPositionsAsync)
            .WithSummary("All positions of an account, from the instance that owns it.")
            .Produces<AccountPositions>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        positions.MapGet("/{accountId}/{instrumentId}", GetPositionAsync)
            .WithSummary("One position of an account.")
            .Produces<PositionView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapPost("/trades", PostTradeAsync).WithTags("Trades")
            .WithSummary("Publishes a trade through the trade publisher of the instance that owns the account (forwarded there): sequence number assigned, idempotency key assigned when absent.")
            .Accepts<TradeRequest>("application/json")
            .Produces<TradeAccepted>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/gaps", GetGapsAsync).WithTags("Gaps").WithSummary("Open sequence gaps of every instance.").Produces<GapsView>();
        app.MapPost("/accounts/{accountId}/gaps/resolve", ResolveGapAsync).WithTags("Gaps")
            .WithSummary("Operator's resolution of an account's sequence gap: the account resumes after its held trades.")
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapGet("/dlq", GetDeadLettersAsync).WithTags("Dead letters")
            .WithSummary("Dead letters: counts by reason and the latest ones.").Produces<DeadLettersView>();

        app.MapPost("/dlq/redrive", RedriveAsync).WithTags("Dead letters")
            .WithSummary("Re-drives chosen dead letters through the trade publisher: fresh sequence numbers, original idempotency keys.")
            .Produces<IReadOnlyList<RedriveResult>>().ProducesValidationProblem();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealthAsync });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapBookApi();
        return app;
    }

    private static Task<IResult> GetAccountPositionsAsync(string accountId, HttpContext context, OwnerRouter router, BrokerageQueries queries)
    {
        if (Invalid(accountId, "accountId") is { } invalid)
        {
            return Task.FromResult(invalid);
        }

        return router.RouteAsync(context, accountId, () =>
        {
            var list = queries.PositionsOf(accountId);
            return list.Count == 0
                ? NotFound($"Account '{accountId}' has no positions.")
                : Results.Ok(new AccountPositions(accountId, list.Select(p => PositionView.From(p, queries.InstrumentOf(p.InstrumentId))).ToList(), router.Self));
        });
    }

    private static Task<IResult> GetPositionAsync(string accountId, string instrumentId, HttpContext context, OwnerRouter router, BrokerageQueries queries)
    {
        if ((Invalid(accountId, "accountId") ?? Invalid(instrumentId, "instrumentId")) is { } invalid)
        {
            return Task.FromResult(invalid);
        }

        return router.RouteAsync(context, accountId, () =>
        {
            if (queries.PositionOf(accountId, instrumentId) is { } position)
            {
                return Results.Ok(PositionView.From(position, queries.InstrumentOf(instrumentId)));
            }

            return queries.PositionsOf(accountId).Count == 0
                ? NotFound($"Account '{accountId}' has no positions.")
                : NotFound($"Account '{accountId}' has no position in '{instrumentId}'.");
        });
    }

    private static async Task<IResult> PostTradeAsync(HttpContext context, TradePublisher publisher, OwnerRouter router, SequenceClaims claims)
    {
        TradeRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<TradeRequest>(context.Request.Body, s_json, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"Not a valid trade JSON object: {e.Message}"] });
        }

        var errors = TradeRequestValidator.Validate(request);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The trade is invalid.");
        }

        // The key is fixed before the trade leaves this instance, so a forward that fails after the owner wrote the
        // trade is answered with a key whose retry cannot apply it twice.
        var trade = request! with { IdempotencyKey = request!.IdempotencyKey ?? Guid.NewGuid().ToString("N") };
        return await router.RouteWriteAsync(context, trade.AccountId!, trade, async partition =>
        {
            // The owner numbers the trade, continuing from the partition's last number when it has just become its
            // owner (SequenceClaims); re-checked after the claim, as a rebalance may have moved the partition meanwhile.
            if (!await claims.ClaimAsync(partition, trade.AccountId!, context.RequestAborted) || !router.IsLocal(trade.AccountId!) ||
                !claims.IsClaimed(partition))
            {
                return router.Unavailable($"Partition {partition} moved while this instance took over its numbering.");
            }

            var published = await publisher.PublishAsync(TradeRequestValidator.ToRecord(trade), context.RequestAborted);
            return Results.Accepted($"/positions/{Uri.EscapeDataString(published.AccountId)}/{Uri.EscapeDataString(trade.InstrumentId!)}",
                new TradeAccepted(published.AccountId, published.SequenceNumber, published.IdempotencyKey, published.Partition, published.Offset));
        });
    }

    private static async Task<IResult> GetGapsAsync(HttpContext context, BrokerageQueries queries, OwnerRouter router, StreamsApplication application,
        OwnerForwarder forwarder)
    {
        var now = DateTimeOffset.UtcNow;
        var gaps = queries.OpenGaps().Select(g => new GapView(g.AccountId, g.ExpectedSequence, g.FirstHeldSequence, g.HeldCount, g.OpenSince, g.Alerted, router.Self,
            g.OldestHeldSince, (long)g.HeldFor(now).TotalSeconds)).ToList();
        var unreachable = new List<string>();
        if (!OwnerForwarder.IsForwarded(context.Request))
        {
            foreach (var instance in application.Instances().Keys.Where(i => i != router.Self))
            {
                var answer = await forwarder.GetAsync(router.Self, instance, "/gaps", context.RequestAborted);
                if (answer.ReadJson<GapsView>() is { } other)
                {
                    gaps.AddRange(other.Gaps ?? []);
                }
                else
                {
                    unreachable.Add(instance);
                }
            }
        }

        return Results.Ok(new GapsView(gaps.OrderBy(g => g.OpenSince).ToList(), unreachable));
    }

    private static async Task<IResult> ResolveGapAsync(string accountId, long? expectedSequence, string? requestedBy, string? reason,
        TradePublisher publisher, CancellationToken cancellationToken)
    {
        if (Invalid(accountId, "accountId") is { } invalid)
        {
            return invalid;
        }

        var errors = new Dictionary<string, string[]>();
        if (expectedSequence is < 1)
        {
            errors["expectedSequence"] = ["Optional; when given, the gap's expected sequence number (at least 1)."];
        }

        if (requestedBy is { Length: > 128 })
        {
            errors["requestedBy"] = ["At most 128 characters."];
        }

        if (reason is { Length: > 512 })
        {
            errors["reason"] = ["At most 512 characters."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var command = new ResolveSequenceGap
        {
            commandId = Guid.NewGuid().ToString("N"),
            accountId = accountId,
            expectedSequence = expectedSequence,
            requestedBy = string.IsNullOrWhiteSpace(requestedBy) ? "http-api" : requestedBy,
            reason = string.IsNullOrWhiteSpace(reason) ? "operator resolution through the HTTP API" : reason,
            timestamp = DateTime.UtcNow,
        };
        var published = await publisher.PublishAsIsAsync(accountId, command, cancellationToken: cancellationToken);
        return Results.Accepted(value: new GapResolutionAccepted(accountId, command.commandId, expectedSequence, published.Partition, published.Offset));
    }

    private static async Task<IResult> GetDeadLettersAsync(DeadLetterReader reader, int? limit, string? reason, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["Between 1 and 1000."] });
        }

        // Reading the topic blocks on the Kafka client: off the request threads.
        var all = await Task.Run(() => reader.ReadAll(TimeSpan.FromSeconds(30), cancellationToken), cancellationToken);
        var byReason = all.GroupBy(d => d.Reason).ToDictionary(g => g.Key, g => (long)g.Count());
        var latest = all.Where(d => reason is null || d.Reason == reason).TakeLast(limit ?? 50).Reverse().Select(ToView).ToList();
        return Results.Ok(new DeadLettersView(all.Count, byReason, latest));
    }

    private static async Task<IResult> RedriveAsync(RedriveRequest? request, HttpContext context, DeadLetterReader reader, TradePublisher publisher,
        OwnerRouter router, OwnerForwarder forwarder, SequenceClaims claims, CancellationToken cancellationToken)
    {
        var ids = request?.Ids?.ToHashSet() ?? [];
        if (ids.Count is 0 or > 1000)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = ["1 to 1000 dead-letter ids (partition:offset)."] });
        }

        var chosen = (await Task.Run(() => reader.ReadAll(TimeSpan.FromSeconds(30), cancellationToken), cancellationToken)).Where(l => ids.Contains(l.Id)).ToList();
        var missing = ids.Except(chosen.Select(c => c.Id)).ToList();
        if (missing.Count > 0)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = [$"No dead letters {string.Join(", ", missing)}."] });
        }

        // Like a new trade, a re-driven one is numbered by the owner of its account's partition (forwarded there).
        var results = new List<RedriveResult>();
        var forwarded = OwnerForwarder.IsForwarded(context.Request);
        foreach (var account in chosen.GroupBy(l => DeadLetterRedriver.AccountOf(l) ?? ""))
        {
            var owner = account.Key.Length == 0 ? null : router.Locate(account.Key);
            if (account.Key.Length == 0)
            {
                results.AddRange(await DeadLetterRedriver.RedriveAsync(account, publisher, cancellationToken)); // not trades: reported as not re-driven
            }
            else if (owner is { IsLocal: true } && await claims.ClaimAsync(owner.Partition, account.Key, cancellationToken) && router.IsLocal(account.Key) &&
                     claims.IsClaimed(owner.Partition))
            {
                results.AddRange(await DeadLetterRedriver.RedriveAsync(account, publisher, cancellationToken));
            }
            else if (!forwarded && owner is { IsLocal: false, ActiveHost: { } host } && host != router.Self)
            {
                results.AddRange(await ForwardRedriveAsync(forwarder, router.Self, host, account.Select(l => l.Id).ToList(), cancellationToken));
            }
            else
            {
                results.AddRange(account.Select(l => new RedriveResult(l.Id, false, $"the partition of {account.Key} is moving between instances; retry")));
            }
        }

        return Results.Ok(results);
    }

    /// <summary>Asks <paramref name="owner"/> to re-drive dead letters <paramref name="ids"/> (all of accounts it owns).
    /// A failure is reported per letter as not re-driven; the letter may still have been written, which its idempotency
    /// key makes harmless to retry.</summary>
    private static async Task<IReadOnlyList<RedriveResult>> ForwardRedriveAsync(OwnerForwarder forwarder, string self, string owner, IReadOnlyList<string> ids,
        CancellationToken cancellationToken)
    {
        var answer = await forwarder.PostJsonAsync(self, owner, "/dlq/redrive", new RedriveRequest(ids), cancellationToken);
        return answer.ReadJson<List<RedriveResult>>() is { } results
            ? results
            : [.. ids.Select(id => new RedriveResult(id, false,
                $"the owning instance {owner} did not answer ({answer.Problem}); retry (the idempotency key keeps a repeat from applying twice)"))];
    }

    internal static DeadLetterView ToView(DeadLetter d)
    {
        var (type, account, trade, instrument, sequence) = d.Original switch
        {
            TradeCreated t => ("TradeCreated", t.accountId, t.tradeId, t.instrumentId, (long?)t.sequenceNumber),
            TradeAmended a => ("TradeAmended", a.accountId, a.tradeId, null, a.sequenceNumber),
            TradeCancelled c => ("TradeCancelled", c.accountId, c.tradeId, null, c.sequenceNumber),
            { } other => (other.Schema.Name, null, null, null, null),
            null => ((string?)null, (string?)null, (string?)null, (string?)null, (long?)null),
        };
        return new DeadLetterView(d.Id, d.Reason, d.Message, d.SourceTopic, d.SourcePartition, d.SourceOffset, d.Timestamp, type, account, trade, instrument, sequence);
    }

    private static IResult? Invalid(string value, string field) =>
        value.Length is 0 or > 64 || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            ? Results.ValidationProblem(new Dictionary<string, string[]> { [field] = ["1 to 64 letters, digits, '.', '_' or '-'."] })
            : null;

    private static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        }, s_json);
    }
}
