using OpenTelemetry.Exporter;

namespace PrimeBroker.Streams.App.Options;

/// <summary>Metric export (section <c>Metrics</c>): Prometheus' <c>/metrics</c> is always served; OTLP push to an
/// OpenTelemetry collector is added when <see cref="OtlpEndpoint"/> is set.</summary>
internal sealed class MetricsOptions
{
    internal const string Section = "Metrics";

    /// <summary>OTLP endpoint of a collector (<c>http://otel-collector:4317</c> for gRPC, <c>…:4318</c> for HTTP); null
    /// (default) exports nothing over OTLP.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> (default) or <c>HttpProtobuf</c>. With <c>HttpProtobuf</c> the metrics are posted to
    /// <see cref="OtlpEndpoint"/> + <c>/v1/metrics</c>.</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>Headers sent with every export, <c>key=value</c> pairs separated by commas (e.g. an API key of a hosted
    /// collector; from an environment variable, never logged). Default none.</summary>
    public string? OtlpHeaders { get; set; }

    /// <summary>How often metrics are pushed. Default 15 s (a common scrape interval, so both exports agree).</summary>
    public TimeSpan OtlpExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<string> Validate()
    {
        if (OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            yield return $"{Section}:{nameof(OtlpEndpoint)} must be an absolute http or https URL (was '{endpoint}').";
        }

        if (OtlpExportInterval < TimeSpan.FromSeconds(1) || OtlpExportInterval > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:{nameof(OtlpExportInterval)} must be between 00:00:01 and 00:10:00 (was {OtlpExportInterval}).";
        }
    }
}
