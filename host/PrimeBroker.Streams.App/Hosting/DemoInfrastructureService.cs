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
/// holds them before the first trade). Stops last: registry, then cluster, then the demo's state directory. Its start
/// also removes the state directories earlier demos left behind (<see cref="DemoStateDirectory"/>).
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
    private Task? _leftovers;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (demo.Value.DeleteStateDirectory)
        {
            // Off the start path: freeing a killed demo's directory takes seconds (see DemoStateDirectory).
            var logger = loggerFactory.CreateLogger<DemoInfrastructureService>();
            _leftovers = Task.Run(() =>
            {
                var removed = DemoStateDirectory.RemoveLeftovers(DemoStateDirectory.Root);
                if (removed.Count > 0)
                {
                    AppLog.DemoLeftoversRemoved(logger, removed.Count);
                }
            }, CancellationToken.None);
        }

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

    /// <remarks>Each step waits at most until the host's shutdown timeout (<paramref name="cancellationToken"/>); what is
    /// left of the state directory then is removed by the next demo.</remarks>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger<DemoInfrastructureService>();
        headroom.Monitor?.Dispose();
        headroom.Monitor = null;
        if (_registry is not null)
        {
            await WithinDeadlineAsync(_registry.DisposeAsync().AsTask(), "Stopping the embedded schema registry");
            _registry = null;
        }

        if (_cluster is not null)
        {
            await WithinDeadlineAsync(_cluster.DisposeAsync().AsTask(), "Stopping the embedded Kafka cluster");
            _cluster = null;
        }

        if (demo.Value.DeleteStateDirectory)
        {
            if (_leftovers is not null)
            {
                await WithinDeadlineAsync(_leftovers, "Removing earlier demos' state directories");
            }

            if (!await DemoStateDirectory.DeleteAsync(streams.Value.StateDirectory, cancellationToken))
            {
                AppLog.ShutdownStepAbandoned(logger, $"Deleting the state directory {streams.Value.StateDirectory}");
            }
        }

        async Task WithinDeadlineAsync(Task step, string what)
        {
            if (!await ShutdownDeadline.WithinAsync(step, cancellationToken))
            {
                AppLog.ShutdownStepAbandoned(logger, what);
            }
        }
    }
}
