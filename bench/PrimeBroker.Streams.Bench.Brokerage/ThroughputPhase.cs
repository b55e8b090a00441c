using System.Diagnostics;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// (1) The highest sustained rate: the paced generator steps the rate up through the given rates, each step for
/// a fixed time on the running application. Lag = trades handed to the producer minus trades the topology processed,
/// sampled every 100 ms. A step is sustained when the generator reached at least 97 % of the rate, the lag never
/// exceeded one second of input, and the mean lag of the step's second half is at most 0.1 s of input above the first
/// half's (it does not grow). A 5 s warm-up at half the first rate comes first and is not judged. The first step that is not sustained ends the climb; one more step halfway between it
/// and the last sustained rate refines the answer (if none held, the rate halves until one does, down to 125/s). Before each step the previous backlog drains and the next chunk is
/// serialized (untimed).
/// </summary>
internal static class ThroughputPhase
{
    public sealed record Step(int Rate, double SentRate, double ProcessedRate, long MaxLag, double MeanLagFirstHalf, double MeanLagSecondHalf, long Sends, bool Sustained, string Why,
        string Cpu);

    public sealed record Result(IReadOnlyList<Step> Steps, int HighestSustained, long Commits, (double Mean, double P50, double P99) CommitMs, long Aborts,
        long InputOutOfRange, string? Error);

    public static async Task<Result> RunAsync(BrokerageBenchOptions options, TextWriter log)
    {
        await using var environment = await BrokerageEnvironment.CreateAsync(options);
        await environment.StartApplicationAsync(options, options.CommitInterval, options.FetchWaitMaxMs);
        var flow = environment.NewFlow(options, options.Seed + 2);
        using var sender = new Sender(environment.Cluster.BootstrapServers);
        var steps = new List<Step>();
        var highest = 0;
        int? failed = null;
        string? error = null;
        try
        {
            // Warm-up, not judged: JIT, first registry lookups, RocksDB caches; half the first rate for 5 s.
            RunStep(environment, flow, sender, Math.Max(1, options.Rates[0] / 2), options with { StepDuration = TimeSpan.FromSeconds(5) }, log, "warm-up");
            foreach (var rate in options.Rates)
            {
                var step = RunStep(environment, flow, sender, rate, options, log);
                steps.Add(step);
                if (!step.Sustained)
                {
                    failed = rate;
                    break;
                }

                highest = rate;
            }

            if (failed is { } f)
            {
                var mid = (highest + f) / 2 / 250 * 250;
                if (mid > highest)
                {
                    var step = RunStep(environment, flow, sender, mid, options, log);
                    steps.Add(step);
                    if (step.Sustained)
                    {
                        highest = mid;
                    }
                }

                // Nothing sustained yet (a slow or very busy machine): halve until a rate holds, down to 125/s.
                for (var rate = mid / 2; highest == 0 && rate >= 125; rate /= 2)
                {
                    var step = RunStep(environment, flow, sender, rate, options, log);
                    steps.Add(step);
                    if (step.Sustained)
                    {
                        highest = rate;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            error = ex.Message;
            log.WriteLine($"throughput: stopped: {ex.Message}");
        }

        if (error is null)
        {
            sender.Flush(); // the last step's tail, so closing the producer drops nothing
        }

        return new Result(steps, highest, environment.Tracker.Commits, environment.Tracker.CommitDuration(), environment.App.Metrics.AbortsTotal,
            environment.App.Metrics.InputOutOfRangeTotal, error);
    }

    private static Step RunStep(BrokerageEnvironment environment, TradeFlow flow, Sender sender, int rate, BrokerageBenchOptions options, TextWriter log,
        string label = "step")
    {
        var chunk = flow.Next(RawCeilingPhase.UniqueFor(rate * options.StepDuration.TotalSeconds, options), releaseHeldBack: false);
        Drain(environment, sender, TimeSpan.FromSeconds(120));
        var processedBefore = environment.Tracker.Processed;
        var samples = new List<(double Seconds, long Lag)>();
        var cpu = new ThreadCpu(environment.ApplicationId);
        var cpuBefore = cpu.Read();
        var started = Stopwatch.GetTimestamp();
        var sending = new Thread(() => sender.Send(chunk, rate, null)) { Name = "sender", Priority = ThreadPriority.AboveNormal };
        sending.Start();
        while (!sending.Join(100))
        {
            environment.ThrowIfFailed();
            samples.Add((Stopwatch.GetElapsedTime(started).TotalSeconds, sender.Sent - environment.Tracker.Processed));
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var processed = environment.Tracker.Processed - processedBefore;
        var cpuShares = ThreadCpu.Between(cpuBefore, cpu.Read(), elapsed, processed);
        samples.Add((elapsed, sender.Sent - environment.Tracker.Processed));
        var half = elapsed / 2;
        var first = samples.Where(s => s.Seconds <= half).Select(s => (double)s.Lag).DefaultIfEmpty(0).Average();
        var second = samples.Where(s => s.Seconds > half).Select(s => (double)s.Lag).DefaultIfEmpty(0).Average();
        var maxLag = samples.Max(s => s.Lag);
        var sentRate = chunk.Count / elapsed;
        var why = sentRate < 0.97 * rate ? $"generator reached only {sentRate:N0}/s"
            : maxLag > rate ? $"lag reached {maxLag:N0} (> 1 s of input)"
            : second > first + 0.1 * rate ? $"lag grew (mean {first:N0} -> {second:N0})"
            : "lag bounded";
        var step = new Step(rate, sentRate, processed / elapsed, maxLag, first, second, chunk.Count, why == "lag bounded", why, cpuShares);
        log.WriteLine($"throughput: {label} {rate,6:N0}/s  sent {step.SentRate,8:N0}/s  processed {step.ProcessedRate,8:N0}/s  lag max {maxLag,7:N0}  " +
                      $"mean 1st/2nd half {first,7:N0} / {second,7:N0}  {(step.Sustained ? "SUSTAINED" : "not sustained")} ({why})");
        if (cpuShares.Length > 0)
        {
            log.WriteLine($"throughput:   cpu of the bench process's threads (share of one core): {cpuShares}");
        }

        return step;
    }

    /// <summary>Waits until the topology processed everything sent (the previous step's backlog).</summary>
    private static void Drain(BrokerageEnvironment environment, Sender sender, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (environment.Tracker.Processed < sender.Sent)
        {
            environment.ThrowIfFailed();
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the backlog did not drain within {timeout.TotalSeconds:0} s ({sender.Sent - environment.Tracker.Processed:N0} left).");
            }

            Thread.Sleep(20);
        }
    }
}
