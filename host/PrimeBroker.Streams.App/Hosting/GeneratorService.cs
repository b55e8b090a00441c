using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Brokerage.Publishing;

namespace PrimeBroker.Streams.App.Hosting;

/// <summary>Runs the <see cref="TradeGenerator"/> in a host: in <c>demo</c> beside the prime broker (its trades timed by
/// the latency tracker), in <c>generate</c> alone (then the host stops when the generator is done).</summary>
internal sealed class GeneratorService(IServiceProvider services, IOptions<GeneratorOptions> options, IHostApplicationLifetime lifetime,
    CommandOutcome outcome, ILogger<TradeGenerator> logger) : BackgroundService
{
    /// <summary>The running generator, for progress displays; null before it starts.</summary>
    internal TradeGenerator? Generator { get; private set; }

    /// <summary>Stop the host when the generator finishes (<c>generate</c>); false in <c>demo</c>.</summary>
    internal bool StopHostWhenDone { get; set; }

    /// <summary>Seed the instruments first (<c>generate</c>); the demo seeds them before its streams application starts.</summary>
    internal bool SeedInstruments { get; set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var connection = services.GetRequiredService<ClusterConnection>();
            var publisher = services.GetRequiredService<TradePublisher>();
            var tracker = services.GetService<TradeLatencyTracker>();
            using var instruments = new InstrumentPublisher(connection.Clients, services.GetRequiredService<ISchemaRegistryClient>(),
                services.GetRequiredService<IOptions<BrokerageOptions>>().Value);
            if (SeedInstruments)
            {
                await instruments.SeedAsync(options.Value.Instruments, stoppingToken);
            }

            Generator = new TradeGenerator(options.Value, publisher, instruments, logger, tracker is null ? null : tracker.Track);
            await Generator.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            outcome.Fail($"the generator stopped: {e.Message}");
            lifetime.StopApplication();
            throw;
        }

        if (StopHostWhenDone)
        {
            lifetime.StopApplication();
        }
    }
}
