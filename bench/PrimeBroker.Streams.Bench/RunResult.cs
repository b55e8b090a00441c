using System.Diagnostics;
using HdrHistogram;

namespace PrimeBroker.Streams.Bench;

/// <summary>What one contender achieved on one backlog (or one paced run).</summary>
internal sealed record RunResult(string Contender, long Records, TimeSpan Elapsed, long Commits, double MeanCommitMs, double P99CommitMs, bool Verified, string Verification)
{
    /// <summary>Records per second from the first record handed to user code to the return of the commit that covered the last.</summary>
    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

    /// <summary>End-to-end latency of the paced phase; null for backlog drains.</summary>
    public LatencySummary? Latency { get; init; }
}

/// <summary>Percentiles in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double P50, double P95, double P99, double Max);

/// <summary>
/// Timing shared by a contender's threads: first record seen, end reached, commit durations, and (in the paced phase)
/// the CreateTime of every record of the open transaction, turned into latencies when that transaction's commit returns.
/// Touched by one processing thread, except <see cref="EndTicks"/>, which the main thread polls.
/// </summary>
internal sealed class RunProbe(bool trackLatency)
{
    private readonly List<long> _openTimestamps = new();
    private long _endTicks;

    public long FirstTicks { get; private set; }

    public long EndTicks => Interlocked.Read(ref _endTicks);

    public LongHistogram CommitMicros { get; } = new(60_000_000, 3);

    public LongHistogram LatencyMs { get; } = new(3_600_000, 3);

    public long Commits { get; private set; }

    public double CommitMsSum { get; private set; }

    /// <summary>Called for each record handed to user code.</summary>
    public void OnRecord(long createTimeMs)
    {
        if (FirstTicks == 0)
        {
            FirstTicks = Stopwatch.GetTimestamp();
        }

        if (trackLatency)
        {
            _openTimestamps.Add(createTimeMs);
        }
    }

    /// <summary>Called when a commit returned; <paramref name="done"/> when it covered the last expected record.</summary>
    public void OnCommitted(double durationMs, bool done)
    {
        Commits++;
        CommitMsSum += durationMs;
        CommitMicros.RecordValue(Math.Max(0, (long)(durationMs * 1000)));
        if (trackLatency && _openTimestamps.Count > 0)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (var ts in _openTimestamps)
            {
                LatencyMs.RecordValue(Math.Max(0, now - ts));
            }

            _openTimestamps.Clear();
        }

        if (done && EndTicks == 0)
        {
            Interlocked.Exchange(ref _endTicks, Stopwatch.GetTimestamp());
        }
    }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(FirstTicks, EndTicks);

    public double MeanCommitMs => Commits == 0 ? 0 : CommitMsSum / Commits;

    public double P99CommitMs => Commits == 0 ? 0 : CommitMicros.GetValueAtPercentile(99) / 1000.0;

    public LatencySummary? LatencySummary => !trackLatency || LatencyMs.TotalCount == 0 ? null
        : new(LatencyMs.TotalCount, LatencyMs.GetValueAtPercentile(50), LatencyMs.GetValueAtPercentile(95), LatencyMs.GetValueAtPercentile(99), LatencyMs.GetMaxValue());

    /// <summary>Waits (on the main thread) until the end was reached or <paramref name="failed"/> says so.</summary>
    public void WaitForEnd(TimeSpan timeout, Func<string?> failed)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (EndTicks == 0)
        {
            if (failed() is { } reason)
            {
                throw new InvalidOperationException(reason);
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the run did not finish within {timeout.TotalSeconds:0} s.");
            }

            Thread.Sleep(5);
        }
    }
}
