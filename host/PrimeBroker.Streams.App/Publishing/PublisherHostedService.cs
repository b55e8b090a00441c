using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Brokerage.Publishing;

namespace PrimeBroker.Streams.App.Publishing;

/// <summary>Starts the <see cref="TradePublisher"/> (recovering its counters from trade-events and the topology's applied
/// sequences) when the host starts, and flushes and closes it when the host stops. A registry outage at start fails the
/// start (<see cref="SequenceRecoveryException"/>): the command exits with its message rather than number from scratch.</summary>
/// <remarks>Services are resolved at start, not at construction: in <c>demo</c> the cluster exists only once the services
/// before this one started.</remarks>
internal sealed class PublisherHostedService(IServiceProvider services, IOptions<BrokerageOptions> brokerage, IOptions<StreamsOptions> streams,
    ILogger<TradePublisher> logger)
    : IHostedService
{
    private TradePublisher? _publisher;

    /// <summary>The started publisher.</summary>
    /// <exception cref="InvalidOperationException">The host has not started yet.</exception>
    internal TradePublisher Publisher => _publisher ?? throw new InvalidOperationException("The trade publisher starts with the host.");

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _publisher = await TradePublisher.StartAsync(Options(services.GetRequiredService<ClusterConnection>().Clients, brokerage.Value, streams.Value.ApplicationId),
            services.GetRequiredService<ISchemaRegistryClient>(), logger, cancellationToken);

    /// <summary>The publisher's settings: the cluster with the pass-through client settings, the configured trade topic,
    /// and the <c>sequences</c> changelog of the streams application <paramref name="applicationId"/>, so that each
    /// account's next number survives the trade topic's retention (the same in <c>run</c>, <c>demo</c>, <c>generate</c>
    /// and <c>dlq</c>: it is a topic, read from whichever process publishes).</summary>
    internal static TradePublisherOptions Options(KafkaClientSettings clients, BrokerageOptions brokerage, string applicationId) => new()
    {
        BootstrapServers = clients.BootstrapServers,
        Topic = brokerage.TradeEventsTopic,
        AppliedSequencesTopic = TradePublisherOptions.AppliedSequencesTopicOf(applicationId),
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
