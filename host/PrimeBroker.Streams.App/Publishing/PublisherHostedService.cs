using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Brokerage.Publishing;

namespace PrimeBroker.Streams.App.Publishing;

/// <summary>Starts the <see cref="TradePublisher"/> (recovering its counters from trade-events) when the host starts, and
/// flushes and closes it when the host stops.</summary>
/// <remarks>Services are resolved at start, not at construction: in <c>demo</c> the cluster exists only once the services
/// before this one started.</remarks>
internal sealed class PublisherHostedService(IServiceProvider services, IOptions<BrokerageOptions> brokerage, ILogger<TradePublisher> logger)
    : IHostedService
{
    private TradePublisher? _publisher;

    /// <summary>The started publisher.</summary>
    /// <exception cref="InvalidOperationException">The host has not started yet.</exception>
    internal TradePublisher Publisher => _publisher ?? throw new InvalidOperationException("The trade publisher starts with the host.");

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _publisher = await TradePublisher.StartAsync(new TradePublisherOptions
        {
            BootstrapServers = services.GetRequiredService<ClusterConnection>().BootstrapServers,
            Topic = brokerage.Value.TradeEventsTopic,
        }, services.GetRequiredService<ISchemaRegistryClient>(), logger, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync();
        }
    }
}
