using Confluent.Kafka;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
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
internal sealed class OwnerRouter(StreamsApplication application, OwnerForwarder forwarder, IOptions<HttpOptions> http)
{
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

        if (OwnerForwarder.IsForwarded(context.Request))
        {
            return Unavailable("The account's partition is not on this instance (the directory is catching up).");
        }

        if (metadata.ActiveHost is not { } owner || owner == Self)
        {
            return Unavailable($"No instance has announced partition {metadata.Partition} yet.");
        }

        return await ForwardAsync(owner, isWrite: false,
            instance => forwarder.GetAsync(Self, instance, $"{context.Request.Path}{context.Request.QueryString}", context.RequestAborted));
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

        if (OwnerForwarder.IsForwarded(context.Request))
        {
            return Unavailable("The account's partition is not on this instance (the directory is catching up).");
        }

        if (metadata.ActiveHost is not { } owner || owner == Self)
        {
            return Unavailable($"No instance has announced partition {metadata.Partition} yet.");
        }

        return await ForwardAsync(owner, isWrite: true,
            instance => forwarder.PostJsonAsync(Self, instance, $"{context.Request.Path}{context.Request.QueryString}", body, context.RequestAborted));
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

    private async Task<IResult> ForwardAsync(string owner, bool isWrite, Func<string, Task<OwnerAnswer>> send)
    {
        var answer = await send(owner);
        if (answer.Failure is null)
        {
            return answer.Relay();
        }

        var written = !isWrite ? "" : " The trade may have been written: retry with the same idempotency key, which can never apply it twice.";
        return Unavailable($"The owning instance {owner} did not answer ({answer.Failure}); its partitions move once the group notices.{written}");
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
