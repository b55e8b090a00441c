namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>The phases' results and the table printed at the end.</summary>
internal sealed class Results
{
    public const int TargetRate = 20_000;
    public const int TargetSustainedNow = 10_000;
    public const double TargetP99Ms = 50;
    public const double TargetCommitMeanMs = 15;

    public SerdeProbe.Result? Serde { get; set; }

    public RawCeilingPhase.Result? Raw { get; set; }

    public ThroughputPhase.Result? Throughput { get; set; }

    public List<LatencyPhase.Result> Latency { get; } = new();

    public DayPhase.Result? Day { get; set; }

    public Dictionary<string, string> Errors { get; } = new();

    public void Print(TextWriter log, BrokerageBenchOptions options)
    {
        log.WriteLine("== results ==");
        log.WriteLine("| Measure | Result | Target | Met |");
        log.WriteLine("|---|---|---|---|");
        if (Throughput is { } t)
        {
            log.WriteLine($"| (1) highest sustained rate, full topology, EOS v2, commit {options.MinCommitMs}..{options.CommitInterval.TotalMilliseconds:0} ms, {options.Threads} thread(s) " +
                          $"| {t.HighestSustained:N0} trades/s (steps: {string.Join(", ", t.Steps.Select(s => $"{s.Rate / 1000.0:0.#}k {(s.Sustained ? "ok" : "no")}"))}) " +
                          $"| >= {TargetRate:N0} (this issue: >= {TargetSustainedNow:N0}) | {Met(t.HighestSustained >= TargetRate && t.Error is null)} |");
            log.WriteLine($"|     commits during the climb: {t.Commits:N0}, duration mean / p50 / p99 | {t.CommitMs.Mean:0.0} / {t.CommitMs.P50:0.0} / {t.CommitMs.P99:0.0} ms | | |");
        }
        else
        {
            Missing(log, "throughput", "(1) highest sustained rate");
        }

        if (Raw is { } r)
        {
            log.WriteLine($"| (1) raw EOS copy-loop ceiling (backlog drain of {r.Records:N0} serialized trades, same process, commit {options.CommitInterval.TotalMilliseconds:0} ms) " +
                          $"| {r.RecordsPerSecond:N0} rec/s{(Throughput is { HighestSustained: > 0 } tt ? $" (topology sustained = {tt.HighestSustained / r.RecordsPerSecond:0.00} of it)" : "")} | - | {(r.Verified ? "checked" : "FAILED CHECK")} |");
        }
        else
        {
            Missing(log, "raw", "(1) raw copy-loop ceiling");
        }

        foreach (var l in Latency)
        {
            log.WriteLine($"| (2) trade -> position latency to the commit, {l.Rate:N0} trades/s, commit interval {options.MinCommitMs}..{l.CommitInterval.TotalMilliseconds:0} ms " +
                          $"| p50 {l.P50:0.0} / p95 {l.P95:0.0} / p99 {l.P99:0.0} ms (max {l.Max:0}, {l.Count:N0} trades) | p99 <= {TargetP99Ms:0} ms | {Met(l.P99 <= TargetP99Ms && l.Ok)} |");
            log.WriteLine($"|     commits: {l.Commits:N0}, duration mean / p50 / p99 | {l.CommitMs.Mean:0.0} / {l.CommitMs.P50:0.0} / {l.CommitMs.P99:0.0} ms | mean <= {TargetCommitMeanMs:0} ms | {Met(l.CommitMs.Mean <= TargetCommitMeanMs)} |");
        }

        foreach (var (phase, error) in Errors.Where(e => e.Key.StartsWith("latency", StringComparison.Ordinal)))
        {
            log.WriteLine($"| (2) {phase} | FAILED: {error} | | NO |");
        }

        if (Raw is { } rc)
        {
            log.WriteLine($"|     raw EOS copy loop's commits in the same run (SendOffsets + Commit + Begin): {rc.Commits:N0}, mean | {rc.MeanCommitMs:0.0} ms | - | |");
        }

        if (Day is { } d)
        {
            log.WriteLine($"| (3) day's volume: {d.UniqueTrades:N0} trades ({d.Sends:N0} sends incl. duplicates, {d.Applied:N0} applied) paced at {d.Rate:N0}/s, commit {options.DayCommitInterval.TotalMilliseconds:0} ms, linger {options.DayLingerMs} ms, sender paused {d.Paused.TotalSeconds:0} s by the backlog guard " +
                          $"| {d.Elapsed.TotalSeconds:0.0} s ({d.AppliedPerSecond:N0} applied/s); max backlog {d.MaxLag:N0} sends = {d.MaxBacklogMiBPerPartition:0.00} MiB per partition (mean; cap 5 MiB) " +
                          $"| all outputs checked | {(d.Ok ? "yes" : "NO")} |");
            if (d.Outcome is { } o)
            {
                log.WriteLine($"|     debits = credits per currency | {string.Join(", ", o.ByCurrency.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value.Debits:N2}{(c.Value.Debits == c.Value.Credits ? " =" : " !=")}"))} | | |");
            }
        }
        else
        {
            Missing(log, "day", "(3) day's volume");
        }

        if (Serde is { } p)
        {
            log.WriteLine($"| profile aid: one Avro output record through the topology's serde vs a plain SpecificDatumWriter " +
                          $"| {p.SerdeMicros:0.0} us ({p.PoolItemsPerCall:0.00} thread-pool hops) vs {p.PlainWriterMicros:0.0} us; decode {p.DeserializeMicros:0.0} us | - | |");
        }
    }

    private void Missing(TextWriter log, string phase, string measure)
    {
        if (Errors.TryGetValue(phase, out var error))
        {
            log.WriteLine($"| {measure} | FAILED: {error} | | NO |");
        }
    }

    private static string Met(bool met) => met ? "yes" : "NO";
}
