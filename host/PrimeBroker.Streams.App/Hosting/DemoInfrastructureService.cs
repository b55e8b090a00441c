using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Serialization.Embedded;

namespace PrimeBroker.Streams.App.Hosting;

/// <summary>
/// What <c>demo</c> runs before the prime broker: the embedded Kafka cluster, the topic catalog, the embedded schema
/// registry, and the generator's instruments (seeded before the streams application starts, so its instrument table
/// holds them before the first trade). Stops last: registry, then cluster, then the demo's state directory.
/// </summary>
internal sealed class DemoInfrastructureService(
    IOptions<DemoOptions> demo,
    IOptions<GeneratorOptions> generator,
    IOptions<StreamsOptions> streams,
    IOptions<BrokerageOptions> brokerage,
    ClusterConnection connection,
    EmbeddedClusterHeadroom headroom,
    ILoggerFactory loggerFactory) : IHostedService
{
    private EmbeddedKafkaCluster? _cluster;
    private EmbeddedSchemaRegistry? _registry;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _cluster = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { BrokerCount = demo.Value.Brokers }, loggerFactory);
            await _cluster.CreateTopicProvisioner().EnsureTopicsAsync(TopicCatalog.For(brokerage.Value), cancellationToken);
            _registry = await EmbeddedSchemaRegistry.StartAsync(cancellationToken: cancellationToken);
            connection.Set(_cluster.BootstrapServers, _registry.Url, _cluster.CreateTopicProvisioner());
            using (var registry = connection.CreateRegistryClient())
            using (var instruments = new InstrumentPublisher(connection.Clients, registry, brokerage.Value))
            {
                await instruments.SeedAsync(generator.Value.Instruments, cancellationToken);
            }

            headroom.Monitor = new HeadroomMonitor(connection.Clients, streams.Value.ApplicationId);
        }
        catch
        {
            await StopAsync(CancellationToken.None);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        headroom.Monitor?.Dispose();
        headroom.Monitor = null;
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
            _registry = null;
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            _cluster = null;
        }

        if (demo.Value.DeleteStateDirectory && Directory.Exists(streams.Value.StateDirectory))
        {
            Directory.Delete(streams.Value.StateDirectory, recursive: true);
        }
    }
}
