using System.Diagnostics;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// (3) A day's volume: the given number of unique trades (duplicates and reorders on top) through the full topology in
/// one run, paced at a rate the topology sustains so the unprocessed backlog of every trade-events partition stays far
/// below the embedded cluster's 5 MiB cap (the total per partition exceeds it: the mock drops the oldest batches, which
/// is harmless once they were processed). The outputs are read while they are written (they too exceed the cap) and
/// checked afterwards by <see cref="DayVerifier"/>. Time = first produce call to the return of the commit that covers
/// the last trade-events record.
/// </summary>
internal static class DayPhase
{
    public sealed record Result(int UniqueTrades, int Sends, int Applied, int Rate, TimeSpan Paused, TimeSpan Elapsed, double AppliedPerSecond, long MaxLag, double MaxBacklogMiBPerPartition,
        double TotalMiBPerPartition, DayVerifier.Outcome? Outcome, long Aborts, long InputOutOfRange, bool Ok, string Check);

    public static async Task<Result> RunAsync(BrokerageBenchOptions options, int rate, TextWriter log)
    {
        await using var environment = await BrokerageEnvironment.CreateAsync(options);
        // A fixed interval (minimum = maximum): every commit writes a batch to each partition it touches, and the
        // embedded cluster's fetches slow down with the number of batches in a partition (see DayCommitInterval).
        await environment.StartApplicationAsync(options, options.DayCommitInterval, options.FetchWaitMaxMs, minCommitInterval: options.DayCommitInterval);
        var flow = environment.NewFlow(options, options.Seed + 4);
        var generation = Stopwatch.StartNew();
        var chunk = flow.Next(options.DayTrades, releaseHeldBack: true);
        chunk.RunOracle();
        var applied = chunk.AppliedSend.Count(s => s >= 0);
        var partitions = flow.Partitions;
        var bytesPerRecord = (chunk.ValueBytes + chunk.Count * 33.0) / chunk.Count;
        var totalMiB = bytesPerRecord * chunk.Count / partitions / 1024 / 1024;
        log.WriteLine($"day: {chunk.Count:N0} sends ({options.DayTrades:N0} unique trades, {applied:N0} applied by the oracle) serialized in {generation.Elapsed.TotalSeconds:0.0} s; " +
                      $"{totalMiB:0.0} MiB per trade-events partition in all; sending at {rate:N0}/s, linger {options.DayLingerMs} ms, commit interval {options.DayCommitInterval.TotalMilliseconds:0} ms ...");

        using var collector = new OutputCollector(environment.Cluster.BootstrapServers, environment.Client);
        using var sender = new Sender(environment.Cluster.BootstrapServers, options.DayLingerMs);
        var started = Stopwatch.GetTimestamp();
        // Backpressure: pause while the unprocessed backlog would fill more than a quarter of the mock's 5 MiB per
        // partition (the fullest partition carries about 1.3x the mean with 10,000 accounts over 20 partitions).
        var holdAbove = (long)(0.25 * 5 * 1024 * 1024 * partitions / (bytesPerRecord * 1.3));
        var sending = new Thread(() => sender.Send(chunk, rate, null, hold: () => sender.Sent - environment.Tracker.Processed > holdAbove))
        {
            Name = "sender",
            Priority = ThreadPriority.AboveNormal,
        };
        sending.Start();
        long maxLag = 0;
        var lastReport = Stopwatch.GetTimestamp();
        while (!sending.Join(100))
        {
            environment.ThrowIfFailed();
            maxLag = Math.Max(maxLag, sender.Sent - environment.Tracker.Processed);
            if (Stopwatch.GetElapsedTime(lastReport).TotalSeconds >= 30)
            {
                lastReport = Stopwatch.GetTimestamp();
                log.WriteLine($"day: {Stopwatch.GetElapsedTime(started).TotalSeconds,5:0} s  sent {sender.Sent,10:N0}  processed {environment.Tracker.Processed,10:N0}  " +
                              $"outputs read {collector.CountOf(PrimeBrokerTopics.LedgerEvents),10:N0} ledger entries, sender paused {sender.Paused.TotalSeconds:0} s");
            }
        }

        sender.Flush();
        environment.WaitUntilCommitted(LatencyPhase.PerPartition(chunk), stall: TimeSpan.FromSeconds(120));
        var elapsed = Stopwatch.GetElapsedTime(started);
        log.WriteLine($"day: all {chunk.Count:N0} sends committed after {elapsed.TotalSeconds:0.0} s; reading the rest of the outputs ...");

        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 120;
        while (collector.Error is null && Stopwatch.GetTimestamp() < deadline &&
               (collector.CountOf(PrimeBrokerTopics.PositionEvents) < applied || collector.CountOf(PrimeBrokerTopics.LedgerEvents) < applied ||
                collector.CountOf(PrimeBrokerTopics.SettlementEvents) < applied))
        {
            Thread.Sleep(50);
        }

        Thread.Sleep(500); // anything beyond the expected counts (a duplicate) has had time to arrive
        collector.Stop();
        var aborts = environment.App.Metrics.AbortsTotal;
        var outOfRange = environment.App.Metrics.InputOutOfRangeTotal;
        var processed = environment.Tracker.Processed;
        DayVerifier.Outcome? outcome = collector.Error is null ? DayVerifier.Verify(chunk, collector) : null;
        var ok = collector.Error is null && outcome is { Ok: true } && aborts == 0 && outOfRange == 0 && processed == chunk.Count;
        var check = collector.Error ?? $"processed {processed:N0}/{chunk.Count:N0} sends, aborts {aborts}, input out of range {outOfRange}, " +
            $"outputs: {outcome!.Positions:N0} position changes, {outcome.LedgerEntries:N0} ledger entries, {outcome.Settlements:N0} settlements, " +
            $"{outcome.DeadLetters} dead letters, {outcome.Alerts} alerts; {(outcome.Ok ? "all checks passed" : $"{outcome.Failures.Count} failures")}";
        return new Result(options.DayTrades, chunk.Count, applied, rate, sender.Paused, elapsed, applied / elapsed.TotalSeconds, maxLag, maxLag * bytesPerRecord / partitions / 1024 / 1024,
            totalMiB, outcome, aborts, outOfRange, ok, check);
    }
}
