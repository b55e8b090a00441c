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
        _publisher = await TradePublisher.StartAsync(Options(services.GetRequiredService<ClusterConnection>().Clients, brokerage.Value),
            services.GetRequiredService<ISchemaRegistryClient>(), logger, cancellationToken);

    /// <summary>The publisher's settings: the cluster with the pass-through client settings, and the configured trade topic.</summary>
    internal static TradePublisherOptions Options(KafkaClientSettings clients, BrokerageOptions brokerage) => new()
    {
        BootstrapServers = clients.BootstrapServers,
        Topic = brokerage.TradeEventsTopic,
        ClientConfig = new Dictionary<string, string>(clients.Settings, StringComparer.Ordinal),
    };

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync();
        }
    }
}
