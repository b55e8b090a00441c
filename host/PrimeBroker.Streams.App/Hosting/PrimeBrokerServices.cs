using Confluent.SchemaRegistry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.DeadLetters;
using PrimeBroker.Streams.App.Http;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Publishing;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Brokerage.Publishing;
using OpenTelemetry.Metrics;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Hosting;

/// <summary>The services of a running prime-broker instance (<c>run</c> and <c>demo</c>).</summary>
public static class PrimeBrokerServices
{
    /// <summary>
    /// Registers the options (validated at start), the schema registry client, the <see cref="StreamsApplication"/>
    /// with the prime-broker topology, <see cref="BrokerageQueries"/>, <see cref="TradePublisher"/>,
    /// <see cref="LiveStatistics"/> and what the HTTP API needs. Hosted services start in this order: streams
    /// application, publisher, statistics sampler; they stop in reverse, except that the streams application's stop
    /// (commit, leave the group, close the tasks) begins as soon as the host starts stopping, so its partitions move
    /// without waiting for the others (<see cref="StreamsHostedService"/>).
    /// </summary>
    public static IServiceCollection AddPrimeBroker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<KafkaOptions>(configuration, KafkaOptions.Section, o => o.Validate());
        services.AddValidatedOptions<SchemaRegistryOptions>(configuration, SchemaRegistryOptions.Section, o => o.Validate());
        services.AddValidatedOptions<StreamsOptions>(configuration, StreamsOptions.Section, o => o.Validate());
        services.AddValidatedOptions<HttpOptions>(configuration, HttpOptions.Section, o => o.Validate());
        services.AddValidatedOptions<AuthOptions>(configuration, AuthOptions.Section, o => o.Validate());
        services.AddSingleton<IValidateOptions<AuthOptions>, WriteKeysPresent>();
        services.AddValidatedOptions<BrokerageOptions>(configuration, BrokerageOptions.SectionName, ValidateBrokerage);

        services.AddSingleton<ClusterConnection>();
        services.AddSingleton(sp => sp.GetRequiredService<ClusterConnection>().CreateRegistryClient());
        services.AddSingleton(sp => new BrokerageServices
        {
            LoggerFactory = sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(),
            Metrics = new BrokerageMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()),
        });
        services.AddSingleton(sp => sp.GetRequiredService<BrokerageServices>().Health);
        services.AddSingleton(StreamsFactory.Create);
        services.AddSingleton(sp => new BrokerageQueries(sp.GetRequiredService<StreamsApplication>()));
        services.AddSingleton<PublisherHostedService>();
        services.AddSingleton(sp => sp.GetRequiredService<PublisherHostedService>().Publisher);
        services.AddSingleton<LiveStatistics>();
        services.AddSingleton(sp => new InstancePhase(sp.GetRequiredService<StreamsApplication>()));
        services.AddSingleton<EmbeddedClusterHeadroom>();
        services.AddSingleton(sp =>
        {
            var queries = sp.GetRequiredService<BrokerageQueries>();
            return new TradeLatencyTracker((account, instrument) =>
            {
                try
                {
                    return queries.PositionOf(account, instrument)?.LastSequenceNumber;
                }
                catch (Engine.Errors.StoreUnavailableException)
                {
                    return null; // rebalancing or restoring: the trade is matched once its position is readable again
                }
            });
        });
        services.AddSingleton(sp =>
        {
            var connection = sp.GetRequiredService<ClusterConnection>();
            return new DeadLetterReader(connection.Clients, sp.GetRequiredService<ISchemaRegistryClient>(),
                sp.GetRequiredService<IOptions<BrokerageOptions>>().Value);
        });

        services.AddSingleton(sp => new AlertReader(sp.GetRequiredService<ClusterConnection>().Clients, sp.GetRequiredService<ISchemaRegistryClient>(),
            sp.GetRequiredService<IOptions<BrokerageOptions>>().Value));
        services.AddSingleton<InstanceScatter>();

        // Created on the first PUT /instruments (the cluster is known by then), flushed and disposed with the host.
        services.AddSingleton(sp => new Generation.InstrumentPublisher(sp.GetRequiredService<ClusterConnection>().Clients,
            sp.GetRequiredService<ISchemaRegistryClient>(), sp.GetRequiredService<IOptions<BrokerageOptions>>().Value));

        services.AddHostedService<StreamsHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<PublisherHostedService>());
        services.AddHostedService<LiveStatisticsSampler>();
        services.AddSingleton<SequenceClaims>();
        services.AddHostedService<SequenceClaimWatcher>();

        services.AddSingleton<OwnerRouter>();
        services.AddSingleton<OwnerForwarder>();
        services.AddApiKeyAuthentication();
        services.AddHttpClient(OwnerForwarder.ClientName).AddHttpMessageHandler<ForwardCredentialHandler>();
        services.AddHealthChecks().AddCheck<StreamsHealthCheck>("streams", tags: ["ready"]);
        services.AddProblemDetails();
        services.AddExceptionHandler<StoreUnavailableHandler>();
        // One decimal format in every answer (Http/MoneyJson): strings with eight places, exact in any language.
        services.ConfigureHttpJsonOptions(o => MoneyJson.AddTo(o.SerializerOptions));
        services.AddOpenApi(o => o.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(decimal) || context.JsonTypeInfo.Type == typeof(decimal?))
            {
                schema.Type = Microsoft.OpenApi.JsonSchemaType.String | (context.JsonTypeInfo.Type == typeof(decimal?) ? Microsoft.OpenApi.JsonSchemaType.Null : 0);
                schema.Format = "decimal";
                schema.Pattern = @"^-?\d+\.\d{8}$";
            }

            return Task.CompletedTask;
        }));
        services.AddValidatedOptions<MetricsOptions>(configuration, MetricsOptions.Section, o => o.Validate());
        AddMetrics(services, configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions());
        return services;
    }

    /// <summary>The meters exported: the engine's, the domain's, the host's, ASP.NET Core's (<c>http.server.*</c>) and
    /// the runtime's (<c>dotnet.*</c>: GC, heap, thread pool, working set); to Prometheus always, over OTLP when
    /// configured.</summary>
    internal static void AddMetrics(IServiceCollection services, MetricsOptions options)
    {
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(EngineMetrics.MeterName, BrokerageMetrics.MeterName, TradeLatencyTracker.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter();
            if (options.OtlpEndpoint is { } endpoint)
            {
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Protocol = options.OtlpProtocol;
                    // The exporter appends nothing to an endpoint set in code: HTTP needs the signal's path.
                    exporter.Endpoint = options.OtlpProtocol == OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf
                        ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/v1/metrics")
                        : endpoint;
                    exporter.Headers = options.OtlpHeaders;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.OtlpExportInterval.TotalMilliseconds;
                });
            }
        });
    }

    /// <summary>Refuses to start a server that binds beyond loopback with writes that need a key and no key to give.</summary>
    private sealed class WriteKeysPresent(IOptions<HttpOptions> http) : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
            options.WritesRequireKey(http.Value) && options.ApiKeys.Count == 0
                ? ValidateOptionsResult.Fail($"The HTTP server binds beyond loopback ({HttpOptions.Section}:{nameof(HttpOptions.Urls)} " +
                    $"'{http.Value.Urls}'), so writes need an API key, and none is configured: set {AuthOptions.Section}:{nameof(AuthOptions.ApiKeys)}:<name> " +
                    $"(environment {AuthOptions.Section}__{nameof(AuthOptions.ApiKeys)}__<name>, at least 16 characters), or " +
                    $"{AuthOptions.Section}:{nameof(AuthOptions.Writes)}=Off behind a gateway that authenticates.")
                : ValidateOptionsResult.Success;
    }

    private static IEnumerable<string> ValidateBrokerage(BrokerageOptions options)
    {
        try
        {
            options.Validate();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return e.Failures;
        }
    }
}
