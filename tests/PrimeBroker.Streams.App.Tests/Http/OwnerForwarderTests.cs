using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeBroker.Streams.App.Http;
using PrimeBroker.Streams.App.Options;

namespace PrimeBroker.Streams.App.Tests.Http;

/// <summary>
/// <see cref="OwnerForwarder"/> against a stand-in instance in this process (Kestrel on a free loopback port): what it
/// sends, what it relays, and how an instance that does not answer is reported.
/// </summary>
public sealed class OwnerForwarderTests : IAsyncLifetime
{
    private const string Self = "127.0.0.1:5001";
    private readonly TaskCompletionSource _neverAnswers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Method, string PathAndQuery, string? Forwarded, string Body)> _received = [];
    private WebApplication _owner = null!;
    private string _ownerAddress = null!;
    private ServiceProvider _clients = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _owner = builder.Build();
        _owner.Use(async (context, next) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            lock (_received)
            {
                _received.Add((context.Request.Method, $"{context.Request.Path}{context.Request.QueryString}",
                    context.Request.Headers[OwnerForwarder.ForwardedHeader].FirstOrDefault(), body));
            }

            await next(context);
        });
        _owner.MapGet("/positions/{account}", (string account) => Results.Text($$"""{"accountId":"{{account}}","quantity":0.10000000}""", "application/json"));
        _owner.MapGet("/busy", (HttpContext context) =>
        {
            context.Response.Headers.RetryAfter = "7";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "moving");
        });
        _owner.MapPost("/trades", (HttpContext context) => Results.Text("""{"sequenceNumber":12}""", "application/json", statusCode: 202));
        _owner.MapGet("/not-json", () => Results.Text("<html>", "text/html"));
        _owner.MapGet("/slow", async () =>
        {
            await _neverAnswers.Task;
            return Results.Ok();
        });
        await _owner.StartAsync();
        _ownerAddress = new Uri(_owner.Urls.Single()).Authority;
        _clients = new ServiceCollection().AddHttpClient().BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        _neverAnswers.TrySetResult();
        await _owner.DisposeAsync();
        await _clients.DisposeAsync();
    }

    [Fact]
    public async Task RelaysTheOwnersAnswerByteForByteAndMarksTheRequestAsForwardedFromThisInstance()
    {
        var answer = await Forwarder().GetAsync(Self, _ownerAddress, "/positions/ACC-1?detail=full", CancellationToken.None);

        Assert.Null(answer.Failure);
        Assert.Equal(200, answer.StatusCode);
        var (method, pathAndQuery, forwarded, _) = Assert.Single(_received);
        Assert.Equal(("GET", "/positions/ACC-1?detail=full", Self), (method, pathAndQuery, forwarded));
        var relayed = await ExecuteAsync(answer.Relay());
        Assert.Equal(200, relayed.StatusCode);
        Assert.StartsWith("application/json", relayed.ContentType);
        // Byte for byte: the decimal's trailing zeros reach the client as the owner wrote them.
        Assert.Equal("""{"accountId":"ACC-1","quantity":0.10000000}""", relayed.Body);
    }

    [Fact]
    public async Task RelaysAnErrorStatusWithItsRetryAfter()
    {
        var answer = await Forwarder().GetAsync(Self, _ownerAddress, "/busy", CancellationToken.None);

        Assert.Null(answer.Failure);
        Assert.False(answer.IsSuccess);
        Assert.Null(answer.ReadJson<Dictionary<string, object>>());
        Assert.Equal("HTTP 503", answer.Problem);
        var relayed = await ExecuteAsync(answer.Relay());
        Assert.Equal(503, relayed.StatusCode);
        Assert.Equal("7", relayed.RetryAfter);
        Assert.Contains("moving", relayed.Body);
    }

    [Fact]
    public async Task PostsTheBodyAsCamelCaseJsonAndReadsTheAnswer()
    {
        var answer = await Forwarder().PostJsonAsync(Self, _ownerAddress, "/trades", new { AccountId = "ACC-2", Quantity = 3.5m }, CancellationToken.None);

        Assert.Equal(202, answer.StatusCode);
        Assert.Equal(12, answer.ReadJson<Dictionary<string, int>>()!["sequenceNumber"]);
        var (method, path, forwarded, body) = Assert.Single(_received);
        Assert.Equal(("POST", "/trades", Self), (method, path, forwarded));
        // Decimals travel in the API's one money format (a string with eight places), which the owner reads exactly.
        Assert.Equal("""{"accountId":"ACC-2","quantity":"3.50000000"}""", body);
    }

    [Fact]
    public async Task ReadsNoJsonFromAnAnswerThatIsNotJson()
    {
        var answer = await Forwarder().GetAsync(Self, _ownerAddress, "/not-json", CancellationToken.None);

        Assert.True(answer.IsSuccess);
        Assert.Null(answer.ReadJson<Dictionary<string, object>>());
        Assert.Equal("an unreadable answer", answer.Problem);
    }

    [Fact]
    public async Task ReportsAnInstanceThatRefusesTheConnectionAsAFailureAndLogsIt()
    {
        var logs = new ListLogger();
        var closed = ClosedLoopbackPort();

        var answer = await Forwarder(logger: logs).GetAsync(Self, closed, "/gaps", CancellationToken.None);

        Assert.Equal(nameof(HttpRequestException), answer.Failure);
        Assert.Null(answer.StatusCode);
        Assert.Null(answer.ReadJson<Dictionary<string, object>>());
        Assert.Throws<InvalidOperationException>(() => answer.Relay());
        Assert.Contains(logs.Messages, m => m.Contains(closed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReportsAnInstanceThatDoesNotAnswerWithinTheForwardTimeoutAsAFailure()
    {
        var answer = await Forwarder(TimeSpan.FromMilliseconds(300)).GetAsync(Self, _ownerAddress, "/slow", CancellationToken.None);

        Assert.Equal(nameof(TaskCanceledException), answer.Failure);
        Assert.Null(answer.StatusCode);
    }

    [Fact]
    public async Task ThrowsWhenTheCallerCancelsInsteadOfBlamingTheInstance()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Forwarder().GetAsync(Self, _ownerAddress, "/slow", cancelled.Token));
    }

    [Fact]
    public void KnowsAForwardedRequestByItsHeader()
    {
        var forwarded = new DefaultHttpContext();
        forwarded.Request.Headers[OwnerForwarder.ForwardedHeader] = Self;

        Assert.True(OwnerForwarder.IsForwarded(forwarded.Request));
        Assert.False(OwnerForwarder.IsForwarded(new DefaultHttpContext().Request));
    }

    private OwnerForwarder Forwarder(TimeSpan? timeout = null, ILogger<OwnerForwarder>? logger = null) =>
        new(_clients.GetRequiredService<IHttpClientFactory>(),
            Microsoft.Extensions.Options.Options.Create(new HttpOptions { ForwardTimeout = timeout ?? TimeSpan.FromSeconds(30) }),
            logger ?? NullLogger<OwnerForwarder>.Instance);

    private static async Task<(int StatusCode, string? ContentType, string? RetryAfter, string Body)> ExecuteAsync(IResult result)
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        return (context.Response.StatusCode, context.Response.ContentType, context.Response.Headers.RetryAfter.FirstOrDefault(), Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>A loopback port nothing listens on: taken from the OS, then released.</summary>
    private static string ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }

    private sealed class ListLogger : ILogger<OwnerForwarder>
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages)
            {
                _messages.Add(formatter(state, exception));
            }
        }
    }
}
