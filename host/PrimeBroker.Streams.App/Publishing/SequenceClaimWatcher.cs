using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Publishing;

/// <summary>
/// Ends <see cref="SequenceClaims"/> when their partitions leave this instance: every 50 ms it reads the application's
/// state and, while running, whether each claimed partition's account is still local (the engine's key metadata, the
/// same check the router makes). A partition that moves away and back is a new task restored in between, which takes
/// far longer than one period, so the claim is released before the partition returns.
/// </summary>
/// <remarks>The application is resolved when the watcher starts, not when it is constructed: in <c>demo</c> the cluster
/// exists only once the services before this one started.</remarks>
internal sealed class SequenceClaimWatcher(IServiceProvider services, SequenceClaims claims) : BackgroundService
{
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var application = services.GetRequiredService<StreamsApplication>();
        using var timer = new PeriodicTimer(s_period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Check(application);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping
        }

        claims.Release(null);
    }

    private void Check(StreamsApplication application)
    {
        if (application.State != StreamsState.Running)
        {
            claims.Release(null);
            return;
        }

        claims.Release((_, account) => IsLocal(application, account));
    }

    private static bool IsLocal(StreamsApplication application, string accountId)
    {
        try
        {
            return application.QueryMetadataForKey(BrokerageStores.Positions, accountId, Serializers.Utf8).IsLocal;
        }
        catch (StoreUnavailableException)
        {
            return false;
        }
    }
}
