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
        long Commits, (double Mean, double P50, double P99) CommitMs, long Aborts, bool Ok, string Check, string Breakdown, string CommitSteps, string Cpu);

    public static async Task<Result> RunAsync(BrokerageBenchOptions options, int rate, TextWriter log)
    {
        await using var environment = await BrokerageEnvironment.CreateAsync(options);
        var steps = new CommitStepLog();
        await environment.StartApplicationAsync(options, options.LatencyCommitInterval, options.FetchWaitMaxMs, loggerFactory: steps);
        environment.Tracker.KeepTimeline = true;
        var flow = environment.NewFlow(options, options.Seed + 3);
        var total = rate * (options.LatencyWarmup + options.LatencyDuration).TotalSeconds;
        var chunk = flow.Next(RawCeilingPhase.UniqueFor(total, options), releaseHeldBack: true);
        chunk.RunOracle();
        var produceTicks = new long[chunk.Count];
        var cpu = new ThreadCpu(environment.ApplicationId);
        var cpuBefore = cpu.Read();
        var cpuStarted = Stopwatch.GetTimestamp();
        var ackTicks = new long[chunk.Count];
        log.WriteLine($"latency: {chunk.Count:N0} sends at {rate:N0}/s, commit interval {options.LatencyCommitInterval.TotalMilliseconds:0} ms ...");
        double sentRate;
        using (var sender = new Sender(environment.Cluster.BootstrapServers, options.LatencyLingerMs))
        {
            var started = Stopwatch.GetTimestamp();
            sender.Send(chunk, rate, produceTicks, ackTicks: ackTicks);
            sentRate = chunk.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            sender.Flush();
        }

        environment.WaitUntilCommitted(PerPartition(chunk), stall: TimeSpan.FromSeconds(120));
        var cpuShares = ThreadCpu.Between(cpuBefore, cpu.Read(), Stopwatch.GetElapsedTime(cpuStarted).TotalSeconds, chunk.Count);
        var histogram = new LongHistogram(3_600_000_000, 3);
        var warmupEnd = produceTicks[0] + (long)(options.LatencyWarmup.TotalSeconds * Stopwatch.Frequency);
        var breakdown = new Breakdown();
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
                if (applied == emit)
                {
                    breakdown.Add(environment.Tracker, chunk.Partition[emit], chunk.Offset[emit], produceTicks[emit], ackTicks[emit]);
                }
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
            histogram.GetMaxValue() / 1000.0, uncovered, environment.Tracker.Commits, environment.Tracker.CommitDuration(), aborts, ok, check,
            breakdown.Summary(), steps.Summary(), cpuShares);
    }

    /// <summary>
    /// Where a trade's latency went, for the trades whose own record emits their position (all but the held-back ones):
    /// produce call to delivery report (the sender's linger and the append), delivery report to the end of the running
    /// commit if the stream thread was committing then (it does not poll meanwhile), then to the end of its processing
    /// (fetch, poll, processing), then to the start of the commit that carries it (the commit policy's wait), then that
    /// commit. The parts add up to the trade's latency.
    /// </summary>
    private sealed class Breakdown
    {
        private static readonly string[] s_names = ["produce -> delivery report", "wait for a running commit", "fetch + poll + process", "wait for the commit to start", "the commit"];
        private readonly List<double>[] _parts = s_names.Select(_ => new List<double>()).ToArray();

        public void Add(CommitTracker tracker, int partition, long offset, long produced, long acked)
        {
            if (acked == 0 || tracker.ProcessedAt(partition, offset) is not { } processed || tracker.CommitSpanAt(partition, offset) is not { } commit)
            {
                return;
            }

            var blocked = Math.Min(tracker.RunningCommitLeft(acked), Math.Max(0, processed - acked));
            long[] ticks = [acked - produced, blocked, processed - acked - blocked, commit.Start - processed, commit.End - commit.Start];
            for (var i = 0; i < ticks.Length; i++)
            {
                _parts[i].Add(ticks[i] * 1000.0 / Stopwatch.Frequency);
            }
        }

        public string Summary()
        {
            if (_parts[0].Count == 0)
            {
                return "no breakdown (no trade with a delivery report, processing time and commit span)";
            }

            return $"{_parts[0].Count:N0} trades, mean (p50 / p99) ms: " + string.Join(", ", s_names.Select((name, i) =>
            {
                var sorted = _parts[i].Order().ToList();
                return $"{name} {sorted.Average():0.0} ({sorted[sorted.Count / 2]:0.0} / {sorted[(int)(sorted.Count * 0.99)]:0.0})";
            }));
        }
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
