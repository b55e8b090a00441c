using System.Globalization;
using System.Runtime.InteropServices;
using PrimeBroker.Streams.Bench.Brokerage;

// End-to-end benchmark of the full prime-broker topology under exactly_once_v2 on the embedded cluster and registry.
// See bench/README.md ("PrimeBroker.Streams.Bench.Brokerage") for the method and its caveats.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
BrokerageBenchOptions options;
try
{
    options = BrokerageBenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var log = Console.Out;
AppDomain.CurrentDomain.UnhandledException += (_, e) => log.WriteLine($"unhandled exception: {e.ExceptionObject}");
log.WriteLine($"command: dotnet run -c Release --project bench/PrimeBroker.Streams.Bench.Brokerage{(args.Length > 0 ? " -- " + string.Join(' ', args) : "")}");
log.WriteLine($"machine: {Environment.ProcessorCount} cores ({Machine.CpuModel()}), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
              $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average at start {Machine.LoadAverage()}");
#if DEBUG
log.WriteLine("WARNING: Debug build; run with -c Release.");
#endif
log.WriteLine($"workload: {options.Accounts:N0} accounts, {options.Instruments:N0} instruments, {options.DuplicatePercent}% duplicates " +
              $"(half exact redeliveries, half re-sequenced with the same idempotency key), {options.ResendPercent}% of trades sent after their successor; " +
              $"exactly_once_v2, {options.Threads} stream thread(s), embedded cluster of {options.Brokers} brokers");
log.WriteLine();

var results = new Results();
var failed = false;
foreach (var phase in BrokerageBenchOptions.AllPhases.Where(options.Phases.Contains))
{
    try
    {
        switch (phase)
        {
            case "serde":
                results.Serde = await SerdeProbe.RunAsync(options);
                log.WriteLine($"serde: PositionUpdated through the topology's Avro serde {results.Serde.SerdeMicros:0.0} us/record " +
                              $"({results.Serde.PoolItemsPerCall:0.00} thread-pool work items per call), plain SpecificDatumWriter {results.Serde.PlainWriterMicros:0.0} us, " +
                              $"deserialize {results.Serde.DeserializeMicros:0.0} us ({results.Serde.Calls:N0} calls each, one thread)");
                break;
            case "raw":
                results.Raw = await RawCeilingPhase.RunAsync(options, log);
                log.WriteLine($"raw: {results.Raw.RecordsPerSecond:N0} rec/s, {results.Raw.Commits} commits, mean {results.Raw.MeanCommitMs:0.0} ms; {results.Raw.Verification}");
                failed |= !results.Raw.Verified;
                break;
            case "throughput":
                results.Throughput = await ThroughputPhase.RunAsync(options, log);
                failed |= results.Throughput.Error is not null || results.Throughput.Aborts > 0 || results.Throughput.InputOutOfRange > 0;
                break;
            case "latency":
                foreach (var latencyRate in options.LatencyRates)
                {
                    try
                    {
                        var latency = await LatencyPhase.RunAsync(options, latencyRate, log);
                        results.Latency.Add(latency);
                        log.WriteLine($"latency: {latency.Check}; p50 {latency.P50:0.0} / p95 {latency.P95:0.0} / p99 {latency.P99:0.0} ms, " +
                                      $"commits {latency.Commits:N0} mean {latency.CommitMs.Mean:0.0} ms; load average {Machine.LoadAverage()}");
                        log.WriteLine($"latency breakdown: {latency.Breakdown}");
                        log.WriteLine($"commit steps: {latency.CommitSteps}");
                        if (latency.Cpu.Length > 0)
                        {
                            log.WriteLine($"latency cpu of the bench process's threads (share of one core, sending to last commit): {latency.Cpu}");
                        }

                        failed |= !latency.Ok;
                    }
                    catch (Exception ex)
                    {
                        // One rate's failure is reported; the other rates still run, each on its own cluster.
                        log.WriteLine($"latency at {latencyRate}/s: FAILED: {ex.GetType().Name}: {ex.Message}");
                        results.Errors[$"latency {latencyRate}/s"] = ex.Message;
                        failed = true;
                    }
                }

                break;
            case "day":
                var rate = options.DayRate > 0 ? options.DayRate
                    : results.Throughput is { HighestSustained: > 0 } t ? Math.Max(100, t.HighestSustained * 8 / 10 / 50 * 50) : 12_000;
                results.Day = await DayPhase.RunAsync(options, rate, log);
                log.WriteLine($"day: {results.Day.Check}");
                foreach (var failure in results.Day.Outcome?.Failures ?? [])
                {
                    log.WriteLine($"day: FAILED CHECK {failure}");
                }

                failed |= !results.Day.Ok;
                break;
            case "failover":
                var failover = await FailoverPhase.RunAsync(options, log);
                FailoverPhase.Print(log, failover, options);
                failed |= !failover.Ok;
                break;
        }
    }
    catch (Exception ex)
    {
        // A failed phase is reported in the table; the next phases still run on their own clusters.
        log.WriteLine($"{phase}: FAILED: {ex.GetType().Name}: {ex.Message}");
        results.Errors[phase] = ex.Message;
        failed = true;
    }

    log.WriteLine();
}

if (options.Phases.Any(p => p != "failover"))
{
    results.Print(log, options);
}

log.WriteLine($"load average at end {Machine.LoadAverage()} (the machine is shared: figures are noisy)");
return failed ? 1 : 0;
