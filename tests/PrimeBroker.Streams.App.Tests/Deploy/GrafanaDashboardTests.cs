using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Tests.Deploy;

/// <summary>
/// deploy/grafana's dashboard asks only for metrics the app exports: every metric name in every query (panels and
/// variables) is either derived from the app's own instruments with the Prometheus exporter's naming rules (dots to
/// underscores, the unit's suffix, <c>_total</c> for counters, <c>_bucket</c>/<c>_sum</c>/<c>_count</c> for histograms)
/// or read from a real Prometheus scrape of the app's metric pipeline (the runtime's and ASP.NET Core's meters).
/// </summary>
public sealed partial class GrafanaDashboardTests
{
    private static readonly string[] s_prefixes = ["kafka_", "pbs_", "pb_", "messaging_client_", "dotnet_", "http_server_", "process_"];

    [Fact]
    public async Task EveryMetricTheDashboardQueriesIsExportedByTheApp()
    {
        var exported = OwnInstrumentNames().Concat(await ScrapedNamesAsync()).ToHashSet(StringComparer.Ordinal);
        var queries = Queries(JsonDocument.Parse(DeploymentFiles.Read("grafana/primebroker-streams.json")).RootElement).ToList();

        var referenced = queries.SelectMany(q => MetricNames(q).Select(m => (Query: q, Metric: m))).ToList();

        Assert.True(queries.Count >= 20, $"only {queries.Count} queries found in the dashboard");
        var missing = referenced.Where(r => !exported.Contains(r.Metric)).Select(r => $"{r.Metric} (in {r.Query})").Distinct().ToList();
        Assert.True(missing.Count == 0, "metrics the app does not export:\n  " + string.Join("\n  ", missing));
        // Every family the dashboard is for appears in it.
        Assert.All(new[] { "kafka_streams_process_total", "kafka_consumer_records_lag", "kafka_streams_commit_latency_seconds_bucket",
                "kafka_streams_tasks", "kafka_streams_thread_state", "kafka_streams_restore_total", "kafka_streams_restore_remaining_records", "pb_trade_to_position_duration_seconds_bucket",
                "dotnet_process_memory_working_set_bytes", "http_server_request_duration_seconds_bucket" },
            m => Assert.Contains(m, referenced.Select(r => r.Metric)));
    }

    [Fact]
    public void TheNameCheckFindsAMisspeltMetric()
    {
        Assert.Equal(["kafka_streams_proces_total"], MetricNames("sum by (instance) (rate(kafka_streams_proces_total{messaging_consumer_group_name=~\"$application\"}[1m]))"));
        Assert.Equal(["kafka_streams_commit_total"], MetricNames("label_values(kafka_streams_commit_total, messaging_consumer_group_name)"));
        Assert.DoesNotContain("kafka_streams_proces_total", OwnInstrumentNames());
    }

    /// <summary>Metric names in a PromQL query: identifiers outside label matchers, grouping clauses and strings.</summary>
    internal static List<string> MetricNames(string query)
    {
        var stripped = LabelMatchers().Replace(query, " ");
        stripped = Grouping().Replace(stripped, " ");
        stripped = LabelValuesLabel().Replace(stripped, ")");
        return Identifier().Matches(stripped).Select(m => m.Value).Where(v => s_prefixes.Any(p => v.StartsWith(p, StringComparison.Ordinal))).Distinct().ToList();
    }

    /// <summary>Prometheus names of the app's own instruments (engine, domain, host), as the exporter writes them.</summary>
    private static HashSet<string> OwnInstrumentNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name is EngineMetrics.MeterName or BrokerageMetrics.MeterName or TradeLatencyTracker.MeterName)
                {
                    lock (names)
                    {
                        names.UnionWith(PrometheusNames(instrument));
                    }
                }
            },
        };
        listener.Start();
        using var engine = new EngineMetrics("dashboard-check");
        using var brokerage = new BrokerageMetrics();
        using var latency = new TradeLatencyTracker((_, _) => null);
        return names;
    }

    /// <summary>The Prometheus exporter's rules (OpenTelemetry .NET): name with '_' for '.', the unit's suffix unless an
    /// annotation in braces, <c>_total</c> on counters, histogram series.</summary>
    private static IEnumerable<string> PrometheusNames(System.Diagnostics.Metrics.Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        var suffix = instrument.Unit switch
        {
            null or "" => "",
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" => "ratio",
            var u when u.StartsWith('{') => "",
            var u => u,
        };
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        var kind = instrument.GetType().GetGenericTypeDefinition();
        if (kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>))
        {
            return [name + "_total"];
        }

        return kind == typeof(Histogram<>) ? [name + "_bucket", name + "_sum", name + "_count"] : [name];
    }

    /// <summary>Names in a real scrape of the app's metric pipeline (<see cref="PrimeBrokerServices.AddMetrics"/>) after
    /// one request and one garbage collection: the runtime's and ASP.NET Core's meters.</summary>
    private static async Task<HashSet<string>> ScrapedNamesAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        PrimeBrokerServices.AddMetrics(builder.Services, new MetricsOptions());
        await using var app = builder.Build();
        app.MapGet("/ping", () => "pong");
        app.MapPrometheusScrapingEndpoint("/metrics");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        await http.GetStringAsync("/ping");
        GC.Collect();
        var text = await http.GetStringAsync("/metrics");
        await app.StopAsync();

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ');
            var (name, type) = (parts[2], parts[3]);
            names.UnionWith(type == "histogram" ? [name + "_bucket", name + "_sum", name + "_count"] : [name]);
        }

        return names;
    }

    private static IEnumerable<string> Queries(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is "expr" or "definition" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return property.Value.GetString()!;
                    }
                    else
                    {
                        foreach (var query in Queries(property.Value))
                        {
                            yield return query;
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var query in element.EnumerateArray().SelectMany(Queries))
                {
                    yield return query;
                }

                break;
        }
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\b(by|without)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    // label_values(metric, label): the second argument is a label.
    [GeneratedRegex(@",\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)")]
    private static partial Regex LabelValuesLabel();

    [GeneratedRegex(@"[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
