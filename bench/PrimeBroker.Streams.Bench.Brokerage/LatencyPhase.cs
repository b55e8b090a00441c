using System.Diagnostics;
using HdrHistogram;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// (2) Trade-to-position latency at a fixed rate: for every trade the oracle says is applied, from the produce call
/// of its record to the return of the commit of the transaction that carries its position event (the commit that
/// follows, on the same stream thread, the processing of the record that emitted it; for a held trade, the record
/// that filled its gap). On a real cluster that is when a read_committed reader may see the position; on the mock a
/// consumer sees records before the commit, so timing arrival at a consumer would flatter exactly-once, and this bench
/// does not. Includes producer linger (5 ms), fetch, processing and the wait for the commit (the commit interval is
/// the floor). Trades produced during the warm-up are left out.
/// </summary>
internal static class LatencyPhase
{
    public sealed record Result(int Rate, double SentRate, TimeSpan CommitInterval, long Count, double P50, double P95, double P99, double Max, long Uncovered,
        long Commits, (double Mean, double P50, double P99) CommitMs, long Aborts, bool Ok, string Check);

    public static async Task<Result> RunAsync(BrokerageBenchOptions options, int rate, TextWriter log)
    {
        await using var environment = await BrokerageEnvironment.CreateAsync(options);
        await environment.StartApplicationAsync(options, options.LatencyCommitInterval, options.FetchWaitMaxMs);
        var flow = environment.NewFlow(options, options.Seed + 3);
        var total = rate * (options.LatencyWarmup + options.LatencyDuration).TotalSeconds;
        var chunk = flow.Next(RawCeilingPhase.UniqueFor(total, options), releaseHeldBack: true);
        chunk.RunOracle();
        var produceTicks = new long[chunk.Count];
        log.WriteLine($"latency: {chunk.Count:N0} sends at {rate:N0}/s, commit interval {options.LatencyCommitInterval.TotalMilliseconds:0} ms ...");
        double sentRate;
        using (var sender = new Sender(environment.Cluster.BootstrapServers))
        {
            var started = Stopwatch.GetTimestamp();
            sender.Send(chunk, rate, produceTicks);
            sentRate = chunk.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            sender.Flush();
        }

        environment.WaitUntilCommitted(PerPartition(chunk), stall: TimeSpan.FromSeconds(120));
        var histogram = new LongHistogram(3_600_000_000, 3);
        var warmupEnd = produceTicks[0] + (long)(options.LatencyWarmup.TotalSeconds * Stopwatch.Frequency);
        long uncovered = 0;
        for (var t = 0; t < chunk.AppliedSend.Length; t++)
        {
            var applied = chunk.AppliedSend[t];
            if (applied < 0 || produceTicks[applied] < warmupEnd)
            {
                continue;
            }

            var emit = chunk.EmitSend[t];
            if (environment.Tracker.CommittedAt(chunk.Partition[emit], chunk.Offset[emit]) is { } committed)
            {
                histogram.RecordValue(Math.Max(0, (committed - produceTicks[applied]) * 1_000_000 / Stopwatch.Frequency));
            }
            else
            {
                uncovered++;
            }
        }

        var processed = environment.Tracker.Processed;
        var aborts = environment.App.Metrics.AbortsTotal;
        var ok = uncovered == 0 && aborts == 0 && processed == chunk.Count && histogram.TotalCount > 0;
        var check = $"processed {processed:N0}/{chunk.Count:N0} sends, aborts {aborts}, trades without a covering commit {uncovered}";
        double Ms(double percentile) => histogram.GetValueAtPercentile(percentile) / 1000.0;
        return new Result(rate, sentRate, options.LatencyCommitInterval, histogram.TotalCount, Ms(50), Ms(95), Ms(99),
            histogram.GetMaxValue() / 1000.0, uncovered, environment.Tracker.Commits, environment.Tracker.CommitDuration(), aborts, ok, check);
    }

    /// <summary>Records per trade-events partition of a chunk that starts a fresh topic.</summary>
    public static int[] PerPartition(TradeChunk chunk)
    {
        var counts = new int[chunk.Flow.Partitions];
        foreach (var p in chunk.Partition)
        {
            counts[p]++;
        }

        return counts;
    }
}
