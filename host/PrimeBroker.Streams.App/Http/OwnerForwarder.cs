using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Options;

namespace PrimeBroker.Streams.App.Http;

/// <summary>
/// The one way a request reaches another instance of the application: position queries and trades forwarded to the
/// owner of the account's partition (<see cref="OwnerRouter"/>), dead-letter re-drives forwarded to the owner of their
/// accounts, and the gaps query asked of every instance. Every request carries <see cref="ForwardedHeader"/> naming the
/// sender (the receiver answers itself or with 503, never forwards again) and times out after
/// <see cref="HttpOptions.ForwardTimeout"/>.
/// </summary>
/// <remarks>An instance that does not answer (refused, reset, timed out) is an <see cref="OwnerAnswer"/> with a
/// <see cref="OwnerAnswer.Failure"/>, logged once here, never an exception: the caller decides what that means for its
/// endpoint (a 503, a re-drive reported as not done, an instance listed as unreachable). Only the caller's own
/// cancellation (the client went away) throws. Thread-safe.</remarks>
internal sealed class OwnerForwarder(IHttpClientFactory clients, IOptions<HttpOptions> http, ILogger<OwnerForwarder> logger)
{
    /// <summary>Header marking a forwarded request; its value is the sender's application server.</summary>
    internal const string ForwardedHeader = "X-PrimeBroker-Forwarded";

    /// <summary>The named <see cref="HttpClient"/> of forwarding (registered with <c>AddHttpClient</c>).</summary>
    internal const string ClientName = "owner-forwarding";

    internal static readonly JsonSerializerOptions Json = MoneyJson.AddTo(new(JsonSerializerDefaults.Web));

    /// <summary>Whether <paramref name="request"/> was forwarded by another instance (it must then not be forwarded
    /// again).</summary>
    internal static bool IsForwarded(HttpRequest request) => request.Headers.ContainsKey(ForwardedHeader);

    /// <summary>GET <paramref name="pathAndQuery"/> at <paramref name="instance"/>.</summary>
    /// <param name="from">This instance's application server (host:port), sent in <see cref="ForwardedHeader"/>.</param>
    /// <param name="instance">The instance's application server (host:port).</param>
    /// <param name="pathAndQuery">E.g. <c>/positions/ACC-1?x=1</c>.</param>
    /// <param name="cancellationToken">The caller's request; its cancellation throws.</param>
    internal Task<OwnerAnswer> GetAsync(string from, string instance, string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(from, instance, HttpMethod.Get, pathAndQuery, content: null, cancellationToken);

    /// <summary>POST <paramref name="body"/> as JSON (web defaults: camelCase) to <paramref name="pathAndQuery"/> at
    /// <paramref name="instance"/>. A failure after the request was sent may or may not have had its effect there.</summary>
    /// <param name="from">This instance's application server (host:port), sent in <see cref="ForwardedHeader"/>.</param>
    /// <param name="instance">The instance's application server (host:port).</param>
    /// <param name="pathAndQuery">E.g. <c>/trades</c>.</param>
    /// <param name="body">The request body.</param>
    /// <param name="cancellationToken">The caller's request; its cancellation throws.</param>
    internal Task<OwnerAnswer> PostJsonAsync<TBody>(string from, string instance, string pathAndQuery, TBody body, CancellationToken cancellationToken) =>
        SendAsync(from, instance, HttpMethod.Post, pathAndQuery, JsonContent.Create(body, options: Json), cancellationToken);

    private async Task<OwnerAnswer> SendAsync(string from, string instance, HttpMethod method, string pathAndQuery, HttpContent? content,
        CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(ClientName);
        client.Timeout = http.Value.ForwardTimeout;
        using var request = new HttpRequestMessage(method, $"http://{instance}{pathAndQuery}") { Content = content };
        request.Headers.Add(ForwardedHeader, from);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new OwnerAnswer(instance, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "application/json",
                response.Headers.RetryAfter?.ToString(), body, Failure: null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A TaskCanceledException without the caller's cancellation is the client's timeout.
            AppLog.ForwardFailed(logger, instance, e.Message);
            return new OwnerAnswer(instance, StatusCode: null, ContentType: "", RetryAfter: null, Body: [], Failure: e.GetType().Name);
        }
    }
}

/// <summary>What another instance answered to a forwarded request, or why it did not.</summary>
/// <param name="Instance">The instance asked (host:port).</param>
/// <param name="StatusCode">Its HTTP status; null when it did not answer.</param>
/// <param name="ContentType">The answer's content type.</param>
/// <param name="RetryAfter">The answer's <c>Retry-After</c>, if any.</param>
/// <param name="Body">The answer's body, as sent.</param>
/// <param name="Failure">Why it did not answer (the exception's type name, e.g. <c>HttpRequestException</c> or
/// <c>TaskCanceledException</c> for the timeout); null when it answered.</param>
internal sealed record OwnerAnswer(string Instance, int? StatusCode, string ContentType, string? RetryAfter, byte[] Body, string? Failure)
{
    /// <summary>Whether the instance answered with a 2xx status.</summary>
    internal bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>The body as JSON of <typeparamref name="T"/> when the instance answered with 2xx; null otherwise or when
    /// the body is not such JSON.</summary>
    internal T? ReadJson<T>()
        where T : class
    {
        if (!IsSuccess)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(Body, OwnerForwarder.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Why the answer is not usable: the failure, or the status code.</summary>
    internal string Problem => Failure ?? (IsSuccess ? "an unreadable answer" : $"HTTP {StatusCode}");

    /// <summary>The answer relayed to this instance's client byte for byte: status, content type, <c>Retry-After</c> and
    /// body.</summary>
    /// <exception cref="InvalidOperationException">The instance did not answer (<see cref="Failure"/> is set).</exception>
    internal IResult Relay() => StatusCode is { } status
        ? new RelayedResult(status, ContentType, RetryAfter, Body)
        : throw new InvalidOperationException($"{Instance} did not answer ({Failure}); there is nothing to relay.");

    private sealed class RelayedResult(int statusCode, string contentType, string? retryAfter, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = contentType;
            if (retryAfter is not null)
            {
                httpContext.Response.Headers.RetryAfter = retryAfter;
            }

            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
