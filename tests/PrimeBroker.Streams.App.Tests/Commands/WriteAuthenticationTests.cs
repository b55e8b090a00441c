using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.App.Http;

namespace PrimeBroker.Streams.App.Tests.Commands;

/// <summary>Writes need an API key when the server binds beyond loopback (an in-process <c>run</c> instance on
/// 0.0.0.0); reads stay open; a forwarded write carries its caller's key.</summary>
public sealed class WriteAuthenticationTests(DevClusterFixture cluster) : IClassFixture<DevClusterFixture>
{
    private const string WriterKey = "desk-writer-key-0123456789";
    private const string ReaderKey = "desk-reader-key-0123456789";

    [Fact]
    public async Task BeyondLoopbackWritesWithoutAKeyGet401AReadOnlyKey403AndAWriterKeyWorks()
    {
        await using var instance = await InProcessInstance.StartAsync(cluster,
            ["--Auth:ApiKeys:desk", WriterKey, "--Auth:ReadOnlyApiKeys:viewer", ReaderKey], listenHost: "0.0.0.0");
        var trade = new { tradeId = "T-AUTH-1", accountId = "ACC-81001", instrumentId = "INS-0001", quantity = 1m, price = 10m, currency = "USD", side = "BUY" };

        var writes = new Func<HttpRequestMessage>[]
        {
            () => new HttpRequestMessage(HttpMethod.Post, "/trades") { Content = JsonContent.Create(trade) },
            () => new HttpRequestMessage(HttpMethod.Post, "/dlq/redrive") { Content = JsonContent.Create(new { ids = new[] { "0:0" } }) },
            () => new HttpRequestMessage(HttpMethod.Post, "/accounts/ACC-81001/gaps/resolve?expectedSequence=1&requestedBy=ops&reason=test"),
            () => new HttpRequestMessage(HttpMethod.Put, "/instruments/INS-0001") { Content = JsonContent.Create(new { symbol = "I1", currency = "USD", assetClass = "EQUITY", price = 10m }) },
        };
        foreach (var write in writes)
        {
            using var anonymous = await instance.Http.SendAsync(write());
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
            Assert.Contains("X-Api-Key", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using var wrongKey = await instance.Http.SendAsync(WithKey(write(), "not-a-key-of-this-desk"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);

            using var readOnly = await instance.Http.SendAsync(WithKey(write(), ReaderKey));
            Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
            Assert.Equal("application/problem+json", readOnly.Content.Headers.ContentType?.MediaType);
        }

        using var accepted = await instance.Http.SendAsync(WithKey(writes[0](), WriterKey));
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        using var bearerForm = await instance.Http.SendAsync(WithAuthorization(writes[3](), $"ApiKey {WriterKey}"));
        Assert.Equal(HttpStatusCode.Accepted, bearerForm.StatusCode);

        // Reads stay open.
        using var gaps = await instance.Http.GetAsync("/gaps");
        Assert.Equal(HttpStatusCode.OK, gaps.StatusCode);
    }

    [Fact]
    public async Task AnInstanceBoundBeyondLoopbackWithoutAnyWriterKeyIsRefusedAtStart()
    {
        var error = new StringWriter();

        var exit = await HostCommandLine.RunAsync(["run", "--dev-cluster-file", cluster.File, "--urls", "http://0.0.0.0:0",
            "--application-server", "127.0.0.1:1"], new StringWriter(), error).WaitAsync(Probe.Timeout);

        Assert.Equal(HostCommandLine.Failure, exit);
        Assert.Contains("binds beyond loopback", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Auth__ApiKeys__<name>", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForwardedRequestCarriesTheCallersKey()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[ApiKeyAuthentication.Header] = WriterKey;
        var sent = new CapturingHandler();
        using var handler = new ForwardCredentialHandler(new HttpContextAccessor { HttpContext = context }) { InnerHandler = sent };
        using var client = new HttpClient(handler);

        using var _ = await client.PostAsync("http://owner:8080/trades", JsonContent.Create(new { }));

        Assert.Equal(WriterKey, Assert.Single(sent.Request!.Headers.GetValues(ApiKeyAuthentication.Header)));
    }

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key)
    {
        request.Headers.Add(ApiKeyAuthentication.Header, key);
        return request;
    }

    private static HttpRequestMessage WithAuthorization(HttpRequestMessage request, string value)
    {
        request.Headers.TryAddWithoutValidation("Authorization", value);
        return request;
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        internal HttpRequestMessage? Request { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted));
        }
    }
}
