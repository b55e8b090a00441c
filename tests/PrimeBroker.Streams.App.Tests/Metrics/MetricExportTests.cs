using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Tests.Cluster;

namespace PrimeBroker.Streams.App.Tests.Metrics;

/// <summary>The <c>Metrics</c> section binds; with an OTLP endpoint the metrics reach it (an HTTP listener standing in
/// for a collector); a bad endpoint is refused at start.</summary>
public sealed class MetricExportTests
{
    private static readonly Dictionary<string, string?> s_cluster = new()
    {
        ["Kafka:BootstrapServers"] = "broker-1.example:9092",
        ["SchemaRegistry:Url"] = "https://registry.example",
    };

    [Fact]
    public void TheOtlpSettingsBind()
    {
        using var services = ClientSettingsTests.Services(s_cluster.Concat(new Dictionary<string, string?>
        {
            ["Metrics:OtlpEndpoint"] = "https://collector.example:4318",
            ["Metrics:OtlpProtocol"] = "HttpProtobuf",
            ["Metrics:OtlpHeaders"] = "api-key=secret",
            ["Metrics:OtlpExportInterval"] = "00:00:05",
        }));

        var options = services.GetRequiredService<IOptions<MetricsOptions>>().Value;

        Assert.Equal(new Uri("https://collector.example:4318"), options.OtlpEndpoint);
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.OtlpProtocol);
        Assert.Equal("api-key=secret", options.OtlpHeaders);
        Assert.Equal(TimeSpan.FromSeconds(5), options.OtlpExportInterval);
    }

    [Fact]
    public void ARelativeEndpointIsRefusedAtStart()
    {
        using var services = ClientSettingsTests.Services(s_cluster.Append(new("Metrics:OtlpEndpoint", "collector:4317")));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MetricsOptions>>().Value);

        Assert.Contains("Metrics:OtlpEndpoint", error.Message);
    }

    [Fact]
    public async Task WithAnEndpointTheMetricsArePushedOverOtlp()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        using var services = ClientSettingsTests.Services(s_cluster.Concat(new Dictionary<string, string?>
        {
            ["Metrics:OtlpEndpoint"] = $"http://127.0.0.1:{port}",
            ["Metrics:OtlpProtocol"] = "HttpProtobuf",
            ["Metrics:OtlpHeaders"] = "x-test-key=o19",
        }));
        var provider = services.GetRequiredService<MeterProvider>();

        var received = collector.GetContextAsync();
        var flushed = Task.Run(() => provider.ForceFlush(20_000));
        var finished = await Task.WhenAny(received, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == received, "no OTLP request reached the listener within 30 s of a flush");
        var context = await received;
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        context.Response.StatusCode = 200;
        context.Response.Close();
        await flushed;

        Assert.Equal("/v1/metrics", context.Request.Url!.AbsolutePath);
        Assert.Equal("o19", context.Request.Headers["x-test-key"]);
        // OTLP protobuf carries names as plain UTF-8. The runtime's meter always has values (the app's counters are
        // exported once something was counted); its presence also shows the runtime instrumentation is registered.
        var text = Encoding.UTF8.GetString(body.ToArray());
        Assert.Contains("System.Runtime", text);
        Assert.Contains("dotnet.gc.collections", text);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
