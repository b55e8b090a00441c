using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.Topics;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Hosting;

/// <summary>
/// The work of the <c>dev-cluster</c> command.
/// </summary>
/// <remarks>
/// <para>Start (the host's start returns when this is done; a failure fails the start):</para>
/// <list type="number">
/// <item>Embedded mode (no <c>--bootstrap-servers</c>): start an <see cref="EmbeddedKafkaCluster"/> and provision
/// <see cref="PrimeBrokerTopics.All"/> through it. External mode: provision the catalog with
/// <see cref="AdminClientTopicProvisioner"/>.</item>
/// <item>Registry: <c>--schema-registry-url</c> if given; else, in embedded mode, the embedded registry if this build has
/// one; else none (<c>registry: not configured</c>).</item>
/// <item>Write the connection file (<see cref="DevClusterInfo"/>) and print <c>bootstrap:</c>, <c>registry:</c> and
/// <c>connection file:</c> lines.</item>
/// <item>External mode stops the application (there is nothing to keep alive); embedded mode runs until Ctrl-C/SIGTERM.</item>
/// </list>
/// <para>Stop: stop the registry, then the cluster, then (embedded mode) delete the connection file, whose addresses
/// are dead from then on.</para>
/// </remarks>
internal sealed class DevClusterService(
    IOptions<DevClusterOptions> options,
    IOptions<KafkaOptions> kafka,
    IOptions<BrokerageOptions> brokerage,
    ISchemaRegistryServerFactory registryFactory,
    IHostApplicationLifetime lifetime,
    CommandOutput output,
    ILoggerFactory loggerFactory) : IHostedService
{
    private readonly DevClusterOptions _options = options.Value;
    private readonly ILogger _logger = loggerFactory.CreateLogger<DevClusterService>();
    private EmbeddedKafkaCluster? _cluster;
    private ISchemaRegistryServer? _registry;
    private TopicProvisioningEndpoint? _provisioning;
    private string? _writtenFile;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartCoreAsync(cancellationToken);
        }
        catch
        {
            // The host does not stop a service whose start failed: release what was started.
            await StopAsync(CancellationToken.None);
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        string bootstrapServers;
        var catalog = TopicCatalog.For(brokerage.Value);
        if (_options.Embedded)
        {
            _cluster = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { BrokerCount = _options.Brokers }, loggerFactory);
            bootstrapServers = _cluster.BootstrapServers;
            AppLog.Provisioning(_logger, catalog.Count, bootstrapServers, "embedded");
            await _cluster.CreateTopicProvisioner().EnsureTopicsAsync(catalog, cancellationToken);
            _provisioning = await TopicProvisioningEndpoint.StartAsync(_cluster.CreateTopicProvisioner(), cancellationToken);
        }
        else
        {
            bootstrapServers = _options.BootstrapServers!;
            AppLog.Provisioning(_logger, catalog.Count, bootstrapServers, "external");
            using var admin = new AdminClientBuilder(AdminConfig(bootstrapServers)).LoggingTo(loggerFactory.CreateLogger(ClientLogs.Category)).Build();
            var provisioner = new AdminClientTopicProvisioner(admin,
                new AdminClientTopicProvisionerOptions { RequestTimeout = _options.AdminRequestTimeout },
                loggerFactory.CreateLogger<AdminClientTopicProvisioner>());
            await provisioner.EnsureTopicsAsync(catalog, cancellationToken);
        }

        _registry = _options.SchemaRegistryUrl is { } url ? new ExternalSchemaRegistry(url)
            : _options.Embedded ? await registryFactory.StartAsync(cancellationToken)
            : null;

        var file = Path.GetFullPath(_options.OutputFile);
        new DevClusterInfo(bootstrapServers, _registry?.Url, _options.Embedded, _provisioning?.Url).WriteTo(file);
        _writtenFile = file;

        var registryText = _registry?.Url ?? "not configured";
        output.Writer.WriteLine($"bootstrap: {bootstrapServers}");
        output.Writer.WriteLine($"registry: {registryText}");
        output.Writer.WriteLine($"connection file: {file}");
        output.Writer.Flush();
        AppLog.DevClusterReady(_logger, bootstrapServers, registryText, file);

        if (!_options.Embedded)
        {
            AppLog.ExternalProvisioned(_logger);
            lifetime.StopApplication();
        }
    }

    /// <summary>The admin config that provisions an external cluster: the pass-through client settings (<c>Kafka:Client</c>).</summary>
    internal AdminClientConfig AdminConfig(string bootstrapServers) => new KafkaClientSettings(bootstrapServers, kafka.Value.Client).Admin();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_provisioning is not null)
        {
            await _provisioning.DisposeAsync();
            _provisioning = null;
        }

        if (_registry is not null)
        {
            await _registry.DisposeAsync();
            _registry = null;
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            _cluster = null;
            if (_writtenFile is not null)
            {
                File.Delete(_writtenFile);
                AppLog.DevClusterStopped(_logger, _writtenFile);
            }
        }
    }
}
