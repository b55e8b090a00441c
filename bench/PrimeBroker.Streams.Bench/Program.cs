using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PrimeBroker.Streams.Bench;
using PrimeBroker.Streams.Engine.Embedded;

// Throughput and latency of the engine (stateful passthrough, exactly_once_v2) against a raw Confluent.Kafka EOS copy loop
// and against Streamiz.Kafka.Net running the same passthrough, on the embedded cluster. See bench/README.md for the method
// and its caveats. --check-streamiz 1 runs the Streamiz behaviour checks instead (StreamizChecks.cs).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

Console.WriteLine($"command: dotnet run -c Release --project bench/PrimeBroker.Streams.Bench -- {string.Join(' ', args)}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores ({CpuModel()}), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
                  $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
#if DEBUG
Console.WriteLine("WARNING: Debug build; run with -c Release.");
#endif
var workload = new Workload(options);
Console.WriteLine($"workload: {options.Records:N0} records per backlog, {options.Partitions} partitions, keys ACC-00000..ACC-{options.Keys - 1:D5} " +
                  $"({options.Keys:N0} keys, uniform random), values {options.ValueBytes} B, commit interval {options.CommitInterval.TotalMilliseconds:0} ms, " +
                  $"{options.Rounds} rounds");
Console.WriteLine($"          ~{workload.BytesPerPartition / 1024.0 / 1024.0:0.00} MiB per partition (mock cap 5 MiB); the engine's write cache dedups " +
                  "changelog writes per key per commit, so the key space matters");
Console.WriteLine($"contenders: (a) raw EOS copy loop, consumer {(options.RawTuning ? "tuned like the engine's" : "with librdkafka's fetch defaults (--raw-tuning 0)")}; " +
                  $"(b) engine; (c) Streamiz.Kafka.Net {typeof(Streamiz.Kafka.Net.KafkaStream).Assembly.GetName().Version?.ToString(3)}, " +
                  $"store cache {(options.StreamizCaching ? "on" : "off")}");
if (workload.BytesPerPartition > Workload.MockCapBytes * 3 / 4)
{
    Console.Error.WriteLine("The backlog would exceed 3/4 of the mock's 5 MiB per partition; lower --records or --value-bytes, or raise --partitions.");
    return 2;
}

var root = Path.Combine(Path.GetTempPath(), "pbs-bench-" + Guid.NewGuid().ToString("N")[..8]);
var run = Guid.NewGuid().ToString("N")[..6];
await using var cluster = EmbeddedKafkaCluster.Start();
Console.WriteLine($"cluster: embedded (librdkafka mock), 3 brokers, {cluster.BootstrapServers}");
Console.WriteLine();

if (options.Restore)
{
    try
    {
        return await RestoreBench.RunAsync(cluster, options, root, run);
    }
    finally
    {
        DeleteRoot();
    }
}

if (options.CheckStreamiz)
{
    try
    {
        return await StreamizChecks.RunAsync(cluster, options, workload, root, run);
    }
    finally
    {
        DeleteRoot();
    }
}

var raw = new List<RunResult>();
var engine = new List<RunResult>();
var streamiz = new List<RunResult>();
try
{
    for (var round = 1; round <= options.Rounds; round++)
    {
        raw.Add(Report(round, await Contend("a", round, trackLatency: false)));
        engine.Add(Report(round, await Contend("b", round, trackLatency: false)));
        if (options.Streamiz)
        {
            streamiz.Add(Report(round, await Contend("c", round, trackLatency: false)));
        }
    }

    var latency = new List<RunResult>();
    if (options.LatencyRate > 0)
    {
        Console.WriteLine();
        Console.WriteLine($"paced phase: {options.LatencyRate:N0} records/s for {options.LatencyDuration.TotalSeconds:0} s per contender, once each");
        latency.Add(Report(0, await Contend("a", 0, trackLatency: true)));
        latency.Add(Report(0, await Contend("b", 0, trackLatency: true)));
        if (options.Streamiz)
        {
            latency.Add(Report(0, await Contend("c", 0, trackLatency: true)));
        }
    }

    PrintSummary(raw, engine, streamiz, latency);
    return raw.Concat(engine).Concat(streamiz).Concat(latency).All(r => r.Verified) ? 0 : 1;
}
finally
{
    DeleteRoot();
}

void DeleteRoot()
{
    try
    {
        Directory.Delete(root, recursive: true);
    }
    catch (DirectoryNotFoundException)
    {
    }
}

async Task<RunResult> Contend(string contender, int round, bool trackLatency)
{
    var tag = trackLatency ? "paced" : $"r{round}";
    var input = $"bench-{run}-{tag}-{contender}-in";
    var output = $"bench-{run}-{tag}-{contender}-out";
    var id = $"bench-{run}-{tag}-{contender}";
    cluster.CreateTopic(input, options.Partitions, 3);
    cluster.CreateTopic(output, options.Partitions, 3);
    var probe = new RunProbe(trackLatency);
    try
    {
        if (!trackLatency)
        {
            workload.Preload(cluster.BootstrapServers, input);
            // Process CPU per record (every thread: the contender, librdkafka and the in-process mock cluster): far less
            // sensitive to other load on the machine than the wall-clock rate.
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var drained = contender switch
            {
                "a" => await Task.Run(() => RawCopyLoop.Run(cluster.BootstrapServers, input, output, options.Partitions, id, options.CommitInterval, options.Records, probe,
                    tuned: options.RawTuning)),
                "b" => await EngineStatefulPassthrough.RunAsync(cluster, input, output, options.Partitions, id, root, options.CommitInterval, options.Records, probe,
                    minCommitInterval: options.MinCommitInterval),
                _ => await StreamizStatefulPassthrough.RunAsync(cluster, input, output, options.Partitions, id, root, options.CommitInterval, options.StreamizCaching,
                    options.Records, probe),
            };
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            Console.WriteLine($"        cpu {contender}: {cpu.TotalSeconds:0.00} s of process CPU, {cpu.TotalMilliseconds * 1000 / options.Records:0.0} us per record");
            return drained;
        }

        // Paced: start the contender, wait until it owns its partitions, then generate; it ends when all generated records committed.
        var expected = (long)(options.LatencyRate * options.LatencyDuration.TotalSeconds);
        var ready = new TaskCompletionSource();
        var running = contender switch
        {
            "a" => Task.Factory.StartNew(() => RawCopyLoop.Run(cluster.BootstrapServers, input, output, options.Partitions, id, options.CommitInterval, expected, probe,
                options.FetchWaitMaxMs, () => ready.TrySetResult(), options.RawTuning), TaskCreationOptions.LongRunning),
            "b" => EngineStatefulPassthrough.RunAsync(cluster, input, output, options.Partitions, id, root, options.CommitInterval, expected, probe, options.FetchWaitMaxMs,
                () => ready.TrySetResult(), options.MinCommitInterval),
            _ => StreamizStatefulPassthrough.RunAsync(cluster, input, output, options.Partitions, id, root, options.CommitInterval, options.StreamizCaching, expected, probe,
                options.FetchWaitMaxMs, () => ready.TrySetResult()),
        };
        await Task.WhenAny(ready.Task, running);
        if (running.IsCompleted)
        {
            return await running;
        }

        await Task.Delay(500); // let the first fetches settle
        await Task.Run(() => PacedGenerator.Run(cluster.BootstrapServers, input, workload, options.LatencyRate, options.LatencyDuration));
        return await running;
    }
    finally
    {
        foreach (var topic in new[] { input, output, $"{id}-{EngineStatefulPassthrough.Store}-changelog", StreamizStatefulPassthrough.Changelog(id) }.Distinct())
        {
            try
            {
                cluster.DeleteTopic(topic); // the mock holds everything in memory
            }
            catch (Confluent.Kafka.KafkaException)
            {
            }
        }
    }
}

static RunResult Report(int round, RunResult r)
{
    var where = round == 0 ? "paced " : $"round {round}";
    Console.WriteLine($"{where} {r.Contender,-24} {r.RecordsPerSecond,10:N0} rec/s  {r.Records:N0} records in {r.Elapsed.TotalSeconds:0.000} s, " +
                      $"{r.Commits} commits, commit mean {r.MeanCommitMs:0.0} ms p99 {r.P99CommitMs:0.0} ms  {(r.Verified ? "OK" : "FAILED")}");
    Console.WriteLine($"        check: {r.Verification}");
    if (r.Latency is { } l)
    {
        Console.WriteLine($"        latency CreateTime -> commit returned: p50 {l.P50:0} ms, p95 {l.P95:0} ms, p99 {l.P99:0} ms, max {l.Max:0} ms ({l.Count:N0} records)");
    }

    return r;
}

static void PrintSummary(List<RunResult> raw, List<RunResult> engine, List<RunResult> streamiz, List<RunResult> latency)
{
    var a = Median(raw.Select(r => r.RecordsPerSecond));
    var b = Median(engine.Select(r => r.RecordsPerSecond));
    var c = Median(streamiz.Select(r => r.RecordsPerSecond));
    Console.WriteLine();
    Console.WriteLine($"== throughput, backlog drain, rec/s ({raw.Count} rounds; each round ran a, b, c in turn) ==");
    Console.WriteLine("| Round | (a) raw EOS copy loop | (b) engine stateful EOS | (c) Streamiz stateful EOS | b/a | c/a | b/c |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    for (var i = 0; i < raw.Count; i++)
    {
        Row($"{i + 1}", raw[i].RecordsPerSecond, engine[i].RecordsPerSecond, i < streamiz.Count ? streamiz[i].RecordsPerSecond : double.NaN);
    }

    Row("median", a, b, c);
    Console.WriteLine("(ratios on the median row are ratios of the medians)");
    Console.WriteLine();
    Console.WriteLine("commits per round, commit duration mean / p99 (medians of the rounds' values):");
    CommitLine("(a) raw: SendOffsets + Commit + Begin  ", raw);
    CommitLine("(b) engine: kafka.streams.commit_latency", engine);
    CommitLine("(c) Streamiz: flush + offsets + commit ", streamiz);
    Console.WriteLine($"ratios of the medians:       engine/raw = {b / a:0.00}   Streamiz/raw = {c / a:0.00}   engine/Streamiz = {b / c:0.00}");
    Console.WriteLine($"medians of per-round ratios: engine/raw = {MedianRatio(engine, raw):0.00}   Streamiz/raw = {MedianRatio(streamiz, raw):0.00}   " +
                      $"engine/Streamiz = {MedianRatio(engine, streamiz):0.00}");
    foreach (var r in latency)
    {
        if (r.Latency is { } l)
        {
            Console.WriteLine($"latency {r.Contender,-24} p50 {l.P50:0} ms, p95 {l.P95:0} ms, p99 {l.P99:0} ms, max {l.Max:0} ms " +
                              "(input CreateTime -> return of the commit carrying the output)");
        }
    }

    Console.WriteLine($"verification: {(raw.Concat(engine).Concat(streamiz).Concat(latency).All(r => r.Verified) ? "all runs OK" : "SOME RUNS FAILED (see check lines)")}");

    static void Row(string label, double x, double y, double z) =>
        Console.WriteLine($"| {label} | {x:N0} | {y:N0} | {z:N0} | {y / x:0.00} | {z / x:0.00} | {y / z:0.00} |");

    static double MedianRatio(List<RunResult> x, List<RunResult> y) => Median(x.Zip(y, (p, q) => p.RecordsPerSecond / q.RecordsPerSecond));

    static void CommitLine(string label, List<RunResult> runs) =>
        Console.WriteLine($"    {label} {Median(runs.Select(r => (double)r.Commits)),4:0} commits, mean {Median(runs.Select(r => r.MeanCommitMs)):0.0} ms, " +
                          $"p99 {Median(runs.Select(r => r.P99CommitMs)):0.0} ms");
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    if (sorted.Length == 0)
    {
        return 0;
    }

    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string CpuModel()
{
    try
    {
        return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown cpu";
    }
    catch (IOException)
    {
        return "unknown cpu";
    }
}
