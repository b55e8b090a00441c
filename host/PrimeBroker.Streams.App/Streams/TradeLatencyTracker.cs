using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Streams;

/// <summary>
/// Measures trade → position latency to the commit: from the moment a trade was handed to the publisher to the end of
/// the first engine commit after which the trade's position is visible in the committed store (its last applied
/// sequence number reached the trade's).
/// </summary>
/// <remarks>
/// <para>The engine's commit counter (<see cref="EngineMetrics.CommitInstrument"/>, recorded after a commit and its local apply) marks the commit
/// times; a checker then reads the positions of the pending trades. A trade is attributed the latest commit seen before
/// the check, so a figure is an upper bound by at most one commit interval when commits follow closely.</para>
/// <para>Samples at most <see cref="MaxPending"/> trades at a time; trades not seen applied within 30 s (dead-lettered,
/// held on a gap, or owned by another instance) are dropped without a figure. Thread-safe.</para>
/// </remarks>
internal sealed class TradeLatencyTracker : IDisposable
{
    internal const int MaxPending = 2000;
    internal const string MeterName = "PrimeBroker.Streams.App";

    /// <summary>The histogram of trade → position latency, in seconds.</summary>
    internal const string LatencyInstrument = "pb.trade_to_position.duration";

    // Seconds, 5 ms to a minute: an idle demo measures about 13-25 ms (the commit policy commits as soon as the input is caught up; README).
    private static readonly double[] s_buckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60];
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_giveUp = TimeSpan.FromSeconds(30);

    private readonly Func<string, string, long?> _appliedSequence;
    private readonly ConcurrentDictionary<GeneratedTrade, byte> _pending = new();
    private readonly ConcurrentQueue<(long At, double Ms)> _recent = new();
    private readonly MeterListener _listener = new();
    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _histogram;
    private readonly SemaphoreSlim _commitSignal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _checker;
    private long _lastCommit;

    /// <param name="appliedSequence">The last sequence number applied to (account, instrument) in the committed local
    /// store, or null when unknown here.</param>
    internal TradeLatencyTracker(Func<string, string, long?> appliedSequence)
    {
        _appliedSequence = appliedSequence;
        _histogram = _meter.CreateHistogram<double>(LatencyInstrument, "s",
            "Trade published to its position committed (upper bound by the commit that made it visible).", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_buckets });
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName && instrument.Name == EngineMetrics.CommitInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, _, _) =>
        {
            Volatile.Write(ref _lastCommit, Stopwatch.GetTimestamp());
            if (_commitSignal.CurrentCount == 0)
            {
                _commitSignal.Release();
            }
        });
        _listener.Start();
        _checker = Task.Run(CheckLoopAsync);
    }

    /// <summary>Starts timing a trade (dropped when <see cref="MaxPending"/> are already timed).</summary>
    internal void Track(GeneratedTrade trade)
    {
        if (_pending.Count < MaxPending)
        {
            _pending.TryAdd(trade, 0);
        }
    }

    /// <summary>p50 and p99 in ms over the last 5 seconds; nulls when nothing was measured.</summary>
    internal (double? P50, double? P99) Percentiles()
    {
        var since = Stopwatch.GetTimestamp() - (long)(s_window.TotalSeconds * Stopwatch.Frequency);
        while (_recent.TryPeek(out var head) && head.At < since)
        {
            _recent.TryDequeue(out _);
        }

        var values = _recent.Select(r => r.Ms).Order().ToArray();
        return values.Length == 0 ? (null, null) : (Percentile(values, 0.50), Percentile(values, 0.99));
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private async Task CheckLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _commitSignal.WaitAsync(TimeSpan.FromMilliseconds(200), _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var commit = Volatile.Read(ref _lastCommit);
            var now = Stopwatch.GetTimestamp();
            foreach (var trade in _pending.Keys)
            {
                long? applied;
                try
                {
                    applied = _appliedSequence(trade.AccountId, trade.InstrumentId);
                }
                catch (InvalidOperationException)
                {
                    applied = null; // not started, or stopping
                }

                if (applied >= trade.SequenceNumber && commit > trade.PublishedTimestamp)
                {
                    var elapsed = Stopwatch.GetElapsedTime(trade.PublishedTimestamp, commit);
                    _recent.Enqueue((now, elapsed.TotalMilliseconds));
                    _histogram.Record(elapsed.TotalSeconds);
                    _pending.TryRemove(trade, out _);
                }
                else if (Stopwatch.GetElapsedTime(trade.PublishedTimestamp, now) > s_giveUp)
                {
                    _pending.TryRemove(trade, out _);
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _checker.Wait(TimeSpan.FromSeconds(5));
        _listener.Dispose();
        _meter.Dispose();
        _stop.Dispose();
    }
}
