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
        var phase = services.GetRequiredService<InstancePhase>();
        using var lag = new LagReader();
        var previousProcessed = application.Metrics.ProcessedTotal;
        long? previousApplied = null;
        var previousTime = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = DateTimeOffset.UtcNow;
                var seconds = Math.Max(0.001, (now - previousTime).TotalSeconds);
                var processed = application.Metrics.ProcessedTotal;
                var last = statistics.Snapshot();
                var (p50, p99) = latency.Percentiles();
                var snapshot = new LiveSnapshot(now, (processed - previousProcessed) / seconds, 0, p50, p99, last.DeadLetters,
                    last.DeadLettersByReason, last.OpenGaps, lag.Total(), headroomHolder.Monitor?.Fill()?.Fill, phase.Describe());
                try
                {
                    var counters = queries.Counters;
                    var applied = counters.Applied;
                    var byReason = counters.DeadLettered.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value);
                    snapshot = snapshot with
                    {
                        TradesAppliedPerSecond = Math.Max(0, applied - (previousApplied ?? applied)) / seconds,
                        DeadLetters = byReason.Values.Sum(),
                        DeadLettersByReason = byReason,
                        OpenGaps = queries.OpenGaps().Count,
                    };
                    previousApplied = applied;
                }
                catch (StoreUnavailableException e)
                {
                    // Expected while the instance starts, restores or rebalances: the line says so (the phase), and the
                    // counters keep their last values until the stores answer again.
                    AppLog.SamplingDeferred(logger, e.Message);
                }

                statistics.Add(snapshot);
                previousProcessed = processed;
                previousTime = now;
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
            {
                AppLog.SamplingFailed(logger, e.Message);
            }
        }
    }

    /// <summary>Reads the engine's observable lag gauge (<see cref="EngineMetrics.RecordsLagInstrument"/>, per input partition).</summary>
    private sealed class LagReader : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _sum;

        internal LagReader()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EngineMetrics.MeterName && instrument.Name == EngineMetrics.RecordsLagInstrument)
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
