using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Errors;

namespace PrimeBroker.Streams.App.Streams;

/// <summary>Once a second, samples the engine's and the domain's counters of this instance into
/// <see cref="LiveStatistics"/>.</summary>
/// <remarks>Services are resolved when sampling starts (after the services before it started), not at construction.</remarks>
internal sealed class LiveStatisticsSampler(IServiceProvider services, LiveStatistics statistics, EmbeddedClusterHeadroom headroomHolder,
    ILogger<LiveStatisticsSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var application = services.GetRequiredService<StreamsApplication>();
        var queries = services.GetRequiredService<BrokerageQueries>();
        var latency = services.GetRequiredService<TradeLatencyTracker>();
        using var lag = new LagReader();
        var previousProcessed = application.Metrics.ProcessedTotal;
        var previousApplied = 0L;
        var first = true;
        var previousTime = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = DateTimeOffset.UtcNow;
                var seconds = Math.Max(0.001, (now - previousTime).TotalSeconds);
                var counters = queries.Counters;
                var processed = application.Metrics.ProcessedTotal;
                var applied = counters.Applied;
                if (first)
                {
                    previousApplied = applied;
                    first = false;
                }

                var (p50, p99) = latency.Percentiles();
                var byReason = counters.DeadLettered.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value);
                statistics.Add(new LiveSnapshot(
                    now,
                    (processed - previousProcessed) / seconds,
                    Math.Max(0, applied - previousApplied) / seconds,
                    p50,
                    p99,
                    byReason.Values.Sum(),
                    byReason,
                    queries.OpenGaps().Count,
                    lag.Total(),
                    headroomHolder.Monitor?.Fill()?.Fill,
                    application.State.ToString()));
                previousProcessed = processed;
                previousApplied = applied;
                previousTime = now;
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or StoreUnavailableException)
            {
                AppLog.SamplingFailed(logger, e.Message);
            }
        }
    }

    /// <summary>Reads the engine's observable lag gauge (<c>pbs.consumer.lag</c>, per input partition).</summary>
    private sealed class LagReader : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _sum;

        internal LagReader()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EngineMetrics.MeterName && instrument.Name == "pbs.consumer.lag")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _sum += value);
            _listener.Start();
        }

        internal long Total()
        {
            _sum = 0;
            _listener.RecordObservableInstruments();
            return _sum;
        }

        public void Dispose() => _listener.Dispose();
    }
}
