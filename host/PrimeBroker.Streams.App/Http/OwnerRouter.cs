using System.Net.Http.Json;
using Confluent.Kafka;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.DeadLetters;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Errors;

namespace PrimeBroker.Streams.App.Http;

/// <summary>
/// Decides where an account's query is answered: here when this instance's task owns the account's partition (the
/// engine's key metadata, murmur2 of the account id as trade-events is partitioned), else at the owner named by the
/// instance directory, over HTTP. While the application rebalances or restores, or the owner is unknown or unreachable,
/// the answer is 503 with <c>Retry-After</c>: never a wrong or empty answer. Trades take the same route
/// (<see cref="RouteWriteAsync{TBody}"/>), so one instance numbers each account's trades.
/// </summary>
internal sealed class OwnerRouter(StreamsApplication application, IHttpClientFactory httpClients, IOptions<HttpOptions> http,
    ILogger<OwnerRouter> logger)
{
    /// <summary>Header marking a forwarded query: the receiver answers locally or with 503, never forwards again.</summary>
    internal const string ForwardedHeader = "X-PrimeBroker-Forwarded";
    internal const string ClientName = "owner-forwarding";
    private static readonly System.Text.Json.JsonSerializerOptions s_json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>This instance's application server (host:port).</summary>
    internal string Self => application.Config.ApplicationServer ?? "local";

    /// <summary>Answers with <paramref name="local"/> when the account is here and the application is running; forwards
    /// otherwise. <paramref name="local"/> is re-checked after it ran: if the partition moved meanwhile, 503.</summary>
    /// <remarks>A read the engine cannot answer correctly now throws <see cref="StoreUnavailableException"/>, which
    /// <see cref="StoreUnavailableHandler"/> turns into the same 503 for every endpoint.</remarks>
    internal async Task<IResult> RouteAsync(HttpContext context, string accountId, Func<IResult> local)
    {
        if (application.State != StreamsState.Running)
        {
            return Unavailable($"This instance is {application.State}: partitions are being assigned or restored.");
        }

        var metadata = application.QueryMetadataForKey(BrokerageStores.Positions, accountId, Serializers.Utf8);
        if (metadata.IsLocal)
        {
            var answer = local();
            var after = application.QueryMetadataForKey(BrokerageStores.Positions, accountId, Serializers.Utf8);
            return after.IsLocal && application.State == StreamsState.Running
                ? answer
                : Unavailable("The account's partition moved while it was read.");
        }

        if (context.Request.Headers.ContainsKey(ForwardedHeader))
        {
            return Unavailable("The account's partition is not on this instance (the directory is catching up).");
        }

        if (metadata.ActiveHost is not { } owner || owner == Self)
        {
            return Unavailable($"No instance has announced partition {metadata.Partition} yet.");
        }

        return await ForwardAsync(context, owner, body: null);
    }

    /// <summary>
    /// Runs a write for <paramref name="accountId"/> (a trade to number and publish) on the instance that owns the
    /// account's partition: here through <paramref name="local"/>, given the partition, else forwarded to the owner as
    /// a POST of <paramref name="body"/> (JSON). While the application rebalances or restores, or the owner is unknown,
    /// 503 with <c>Retry-After</c> before anything was written. A forward that fails after it was sent may or may not
    /// have been written: 503 too, and the caller's retry must carry the same idempotency key.
    /// </summary>
    internal async Task<IResult> RouteWriteAsync<TBody>(HttpContext context, string accountId, TBody body, Func<int, Task<IResult>> local)
    {
        if (application.State != StreamsState.Running)
        {
            return Unavailable($"This instance is {application.State}: partitions are being assigned or restored.");
        }

        var metadata = application.QueryMetadataForKey(BrokerageStores.Positions, accountId, Serializers.Utf8);
        if (metadata.IsLocal)
        {
            return await local(metadata.Partition);
        }

        if (context.Request.Headers.ContainsKey(ForwardedHeader))
        {
            return Unavailable("The account's partition is not on this instance (the directory is catching up).");
        }

        if (metadata.ActiveHost is not { } owner || owner == Self)
        {
            return Unavailable($"No instance has announced partition {metadata.Partition} yet.");
        }

        return await ForwardAsync(context, owner, JsonContent.Create(body, options: s_json));
    }

    /// <summary>Where <paramref name="accountId"/>'s partition is now; null while this instance is not running.</summary>
    internal KeyQueryMetadata? Locate(string accountId)
    {
        try
        {
            return application.State == StreamsState.Running
                ? application.QueryMetadataForKey(BrokerageStores.Positions, accountId, Serializers.Utf8)
                : null;
        }
        catch (StoreUnavailableException)
        {
            return null;
        }
    }

    /// <summary>Asks <paramref name="owner"/> to re-drive dead letters <paramref name="ids"/> (all of accounts it owns).
    /// A failure is reported per letter as not re-driven; the letter may still have been written, which its idempotency
    /// key makes harmless to retry.</summary>
    internal async Task<IReadOnlyList<RedriveResult>> ForwardRedriveAsync(string owner, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(ClientName);
        client.Timeout = http.Value.ForwardTimeout;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{owner}/dlq/redrive")
        {
            Content = JsonContent.Create(new RedriveRequest(ids), options: s_json),
        };
        request.Headers.Add(ForwardedHeader, Self);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<List<RedriveResult>>(s_json, cancellationToken) ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            AppLog.ForwardFailed(logger, owner, e.Message);
            return [.. ids.Select(id => new RedriveResult(id, false,
                $"the owning instance {owner} did not answer ({e.GetType().Name}); retry (the idempotency key keeps a repeat from applying twice)"))];
        }
    }

    /// <summary>Whether <paramref name="accountId"/>'s partition is on this instance now and the application runs.</summary>
    internal bool IsLocal(string accountId)
    {
        try
        {
            return application.State == StreamsState.Running &&
                   application.QueryMetadataForKey(BrokerageStores.Positions, accountId, Serializers.Utf8).IsLocal;
        }
        catch (StoreUnavailableException)
        {
            return false;
        }
    }

    private async Task<IResult> ForwardAsync(HttpContext context, string owner, HttpContent? body)
    {
        var client = httpClients.CreateClient(ClientName);
        client.Timeout = http.Value.ForwardTimeout;
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post,
            $"http://{owner}{context.Request.Path}{context.Request.QueryString}") { Content = body };
        request.Headers.Add(ForwardedHeader, Self);
        try
        {
            using var response = await client.SendAsync(request, context.RequestAborted);
            var answer = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
            if (response.Headers.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString();
            }

            var contentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
            var status = (int)response.StatusCode;
            return Results.Extensions.Forwarded(answer, contentType, status);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            AppLog.ForwardFailed(logger, owner, e.Message);
            var written = body is null ? "" : " The trade may have been written: retry with the same idempotency key, which can never apply it twice.";
            return Unavailable($"The owning instance {owner} did not answer ({e.GetType().Name}); its partitions move once the group notices.{written}");
        }
    }

    /// <summary>503 with <c>Retry-After</c> and a problem body.</summary>
    internal IResult Unavailable(string detail) => new RetryLater(detail, http.Value.RetryAfterSeconds);

    private sealed class RetryLater(string detail, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Not available here right now; retry").ExecuteAsync(httpContext);
        }
    }
}

/// <summary>An answer relayed byte for byte from the owning instance.</summary>
internal static class ForwardedResultExtensions
{
    internal static IResult Forwarded(this IResultExtensions _, byte[] body, string contentType, int statusCode) =>
        new ForwardedResult(body, contentType, statusCode);

    private sealed class ForwardedResult(byte[] body, string contentType, int statusCode) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = contentType;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
