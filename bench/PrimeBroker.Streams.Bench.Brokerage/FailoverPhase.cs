using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// (4) Failover: a <c>dev-cluster</c> process and three <c>run</c> processes of the host program with their own state
/// directories, the trade generator at a fixed rate, and five events in turn: (a) SIGKILL one instance; (b) start it
/// again; (c) SIGTERM the same instance and leave it stopped (a graceful stop on its own, so its figure is not mixed
/// with a restart's restore); (d) start it again; (e) a rolling graceful restart (SIGTERM, start again, wait until
/// settled) of all three. Per event: the longest time a trade-events partition went without a new position, for
/// partitions that kept their owner and for partitions that moved; for the moved ones also how long after the event
/// they produced again; changelog records each instance restored; p99 trade -> position latency of the trades sent
/// during the event; afterwards every position and ledger total against the oracle. In the quiet window before the
/// events: each instance's CPU time and the changelog records its standbys applied (the standbys' steady cost).
/// </summary>
/// <remarks>
/// Outputs are timed when a consumer reads them. On the embedded cluster a consumer sees records before their
/// transaction commits (the commit follows within one commit interval), so a position read marks its trade as processed
/// and about to commit; the same instant is used for gaps and latency. Repeats of a killed owner's uncommitted outputs
/// are dropped as repeats (same origin, or identical bytes; <see cref="OutputCollector"/>). A partition gets about rate/20 trades per second, so the
/// gaps include the input's own spacing: the "no event" row measures that floor.
/// </remarks>
internal static class FailoverPhase
{
    /// <param name="MovedResumedMs">Over the moved partitions, the longest time from the event to the position that ended
    /// the partition's longest gap (when it produced again); infinity when one never did within the window.</param>
    /// <param name="MovedDetail">Per moved partition: owners before and during, when its longest gap started and ended
    /// (seconds from the event).</param>
    public sealed record EventResult(string Name, double RecoveredSeconds, int Stayed, double StayedMaxGapMs, int Moved, double MovedMaxGapMs,
        double MovedResumedMs, string Restored, double P99Ms, int Trades, IReadOnlyList<string> MovedDetail);

    public sealed record Result(IReadOnlyList<EventResult> Events, DayVerifier.Outcome? Outcome, long Repeats, bool Ok, string Check, string Steady);

    private sealed record Window(string Name, long From, long To, Dictionary<int, int> OwnerBefore, string Restored, double RecoveredSeconds);

    public static async Task<Result> RunAsync(BrokerageBenchOptions options, TextWriter log)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pbs-bench-failover-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var instances = new RunInstance?[3];
        RunInstance? cluster = null;
        try
        {
            cluster = RunInstance.Start("dev-cluster", directory, ["dev-cluster", "--Logging:LogLevel:Default=Warning"]);
            var connection = DevClusterFile.WaitFor(directory, TimeSpan.FromSeconds(120), cluster);
            using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = connection.SchemaRegistryUrl });
            var catalog = new InstrumentCatalog(options.Instruments);
            catalog.Seed(connection.BootstrapServers, InstrumentCatalog.SerializerFor(registry));
            var tradeSubTopology = BrokerageEnvironment.TradeSubTopology(BrokerageTopology.Build(new BrokerageOptions(), registry));
            var partitions = BrokerageEnvironment.TradePartitions;
            var flow = new TradeFlow(options with { Accounts = options.FailoverAccounts }, catalog, partitions,
                TradeEventSerdes.ForTradeEvents(registry).Serializer, options.Seed + 5);
            var chunk = flow.Next(options.FailoverRate * 1800, releaseHeldBack: false);
            log.WriteLine($"failover: {options.FailoverAccounts:N0} accounts at {options.FailoverRate} trades/s; three run instances in {directory}" +
                          (options.FailoverRunArgs.Count > 0 ? $" with {string.Join(' ', options.FailoverRunArgs)}" : " with the host's defaults"));

            var ports = Enumerable.Range(0, 3).Select(_ => FreePort()).ToArray();
            RunInstance StartRun(int i) => RunInstance.Start($"run-{i}", directory,
            [
                "run", "--application-server", $"127.0.0.1:{ports[i]}", "--urls", $"http://127.0.0.1:{ports[i]}",
                "--state-dir", Path.Combine(directory, $"state-{i}"), "--threads", "1", "--Logging:LogLevel:Default=Warning",
                .. options.FailoverRunArgs,
            ]);
            for (var i = 0; i < 3; i++)
            {
                instances[i] = StartRun(i);
            }

            var partitionOfAccount = new Dictionary<string, int>(StringComparer.Ordinal);
            var lastArrival = new long[partitions];
            using var collector = new OutputCollector(connection.BootstrapServers, registry, dropRepeats: true, onPosition: (position, ticks) =>
            {
                if (!partitionOfAccount.TryGetValue(position.accountId, out var partition))
                {
                    partitionOfAccount[position.accountId] = partition = Partitioning.ForKey(Encoding.UTF8.GetBytes(position.accountId), partitions);
                }

                Volatile.Write(ref lastArrival[partition], ticks);
            });
            using var watch = new OwnershipWatch(ports, tradeSubTopology);
            using var sender = new Sender(connection.BootstrapServers);
            using var stopSending = new CancellationTokenSource();
            var produceTicks = new long[chunk.Count];
            var sending = new Thread(() => sender.Send(chunk, options.FailoverRate, produceTicks, stop: stopSending.Token)) { Name = "sender", IsBackground = true };

            var alive = new[] { true, true, true };
            if (!await SettleAsync(watch, alive, lastArrival, partitions, options.FailoverSettle, "the three instances to start", instances, log))
            {
                throw new TimeoutException("the three run instances did not start; see their logs.");
            }

            sending.Start();
            log.WriteLine("failover: all three instances run; sending");
            if (!await SettleAsync(watch, alive, lastArrival, partitions, options.FailoverSettle, "first outputs", instances, log))
            {
                throw new TimeoutException("no outputs from every partition; see the run logs.");
            }

            var windows = new List<Window>();
            var cpuBefore = instances.Select(i => i!.ProcessorTime).ToArray();
            var standbyBefore = new long[3];
            for (var i = 0; i < 3; i++)
            {
                standbyBefore[i] = await watch.CounterAsync(i, OwnershipWatch.StandbyAppliedCounter);
            }

            var quiet = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(15));
            var quietSeconds = Stopwatch.GetElapsedTime(quiet).TotalSeconds;
            windows.Add(new Window("no event (input spacing)", quiet, Stopwatch.GetTimestamp(), Owners(watch, quiet), "-", 0));
            var steadyParts = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var cpu = (instances[i]!.ProcessorTime - cpuBefore[i]).TotalSeconds / quietSeconds;
                var standbyApplied = await watch.CounterAsync(i, OwnershipWatch.StandbyAppliedCounter) - standbyBefore[i];
                steadyParts.Add($"run-{i} CPU {cpu * 100:0}% of a core, standbys applied {standbyApplied / quietSeconds:N0} records/s");
            }

            var steady = $"steady state over {quietSeconds:0} s without an event: {string.Join("; ", steadyParts)}";
            log.WriteLine($"failover: {steady}");

            var settledAll = true;
            async Task EventAsync(string name, Func<Task<bool>> action)
            {
                if (!settledAll)
                {
                    log.WriteLine($"failover: {name}: skipped (the event before did not settle)");
                    return;
                }

                var restoredBefore = new long[3];
                for (var i = 0; i < 3; i++)
                {
                    restoredBefore[i] = alive[i] ? await watch.CounterAsync(i, OwnershipWatch.RestoredCounter) : 0;
                }

                var from = Stopwatch.GetTimestamp();
                var owners = Owners(watch, from);
                // Wall-clock time of the event, to find it in the instances' logs (run them with a UTC timestamp format).
                log.WriteLine($"failover: {name} at {DateTime.UtcNow:HH:mm:ss.fff} UTC");
                settledAll = await action();
                var recovered = settledAll ? Stopwatch.GetElapsedTime(from).TotalSeconds : double.PositiveInfinity;
                await Task.Delay(TimeSpan.FromSeconds(5));
                var restored = new List<string>();
                for (var i = 0; i < 3; i++)
                {
                    // A counter below its value at the start belongs to a process started during the event.
                    var now = alive[i] ? await watch.CounterAsync(i, OwnershipWatch.RestoredCounter) : 0;
                    restored.Add(alive[i] ? $"run-{i} {(now >= restoredBefore[i] ? now - restoredBefore[i] : now):N0}" : $"run-{i} down");
                }

                windows.Add(new Window(name, from, Stopwatch.GetTimestamp(), owners, string.Join(", ", restored), recovered));
                log.WriteLine($"failover: {name}: {(settledAll ? $"settled after {recovered:0.0} s" : "did not settle")}; restored {string.Join(", ", restored)}");
            }

            await EventAsync("(a) SIGKILL run-2", async () =>
            {
                instances[2]!.KillHard();
                alive[2] = false;
                return await SettleAsync(watch, alive, lastArrival, partitions, options.FailoverSettle, "the survivors to take over", instances, log);
            });
            await Task.Delay(TimeSpan.FromSeconds(5));
            await EventAsync("(b) restart run-2", () => RestartAsync(2, "run-2 to rejoin"));
            await Task.Delay(TimeSpan.FromSeconds(5));
            await EventAsync("(c) SIGTERM run-2, stays down", async () =>
            {
                alive[2] = false;
                var stopping = Stopwatch.GetTimestamp();
                var exited = instances[2]!.StopGracefully(TimeSpan.FromSeconds(60));
                log.WriteLine(exited
                    ? $"failover: run-2 exited {Stopwatch.GetElapsedTime(stopping).TotalSeconds:0.00} s after SIGTERM"
                    : "failover: run-2 did not stop within 60 s of SIGTERM and was killed");
                return await SettleAsync(watch, alive, lastArrival, partitions, options.FailoverSettle, "the survivors to take over", instances, log);
            });
            await Task.Delay(TimeSpan.FromSeconds(5));
            await EventAsync("(d) start run-2 again", () => RestartAsync(2, "run-2 to rejoin"));
            await Task.Delay(TimeSpan.FromSeconds(5));
            await EventAsync("(e) rolling graceful restart", async () =>
            {
                for (var i = 0; i < 3; i++)
                {
                    alive[i] = false;
                    if (!instances[i]!.StopGracefully(TimeSpan.FromSeconds(60)))
                    {
                        log.WriteLine($"failover: run-{i} did not stop within 60 s of SIGTERM and was killed");
                    }

                    if (!await RestartAsync(i, $"run-{i} to rejoin"))
                    {
                        return false;
                    }
                }

                return true;
            });

            // Starts instance i (again) with its state directory and waits until the group settled.
            async Task<bool> RestartAsync(int i, string what)
            {
                instances[i]!.Dispose();
                instances[i] = StartRun(i);
                alive[i] = true;
                return await SettleAsync(watch, alive, lastArrival, partitions, options.FailoverSettle, what, instances, log);
            }

            await stopSending.CancelAsync();
            sending.Join();
            sender.Flush();
            var sends = (int)sender.Sent;
            chunk.RunOracle(sends);
            var applied = chunk.AppliedSend.Count(s => s >= 0);
            log.WriteLine($"failover: {sends:N0} sends ({applied:N0} trades applied by the oracle); reading the rest of the outputs ...");
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (long)options.FailoverSettle.TotalSeconds;
            while (collector.Error is null && Stopwatch.GetTimestamp() < deadline &&
                   (collector.CountOf(PrimeBrokerTopics.PositionEvents) < applied || collector.CountOf(PrimeBrokerTopics.LedgerEvents) < applied ||
                    collector.CountOf(PrimeBrokerTopics.SettlementEvents) < applied))
            {
                await Task.Delay(100);
            }

            await Task.Delay(1000); // anything beyond the expected counts (a duplicate) has had time to arrive
            collector.Stop();
            var outcome = collector.Error is null ? DayVerifier.Verify(chunk, collector) : null;
            var events = windows.Select(w => Measure(w, chunk, collector, produceTicks, watch)).ToList();
            var check = collector.Error ?? $"outputs: {outcome!.Positions:N0} position changes, {outcome.LedgerEntries:N0} ledger entries, {outcome.Settlements:N0} settlements " +
                $"({collector.Repeats:N0} repeats of uncommitted outputs dropped: same origin or identical bytes), {outcome.DeadLetters} dead letters; " +
                $"ledger {string.Join(", ", outcome.ByCurrency.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value.Debits:N2}"))}; " +
                $"{(outcome.Ok ? "every position and ledger total equals the oracle" : $"{outcome.Failures.Count} failures")}";
            return new Result(events, outcome, collector.Repeats, settledAll && outcome is { Ok: true }, check, steady);
        }
        finally
        {
            foreach (var instance in instances)
            {
                instance?.Dispose();
            }

            cluster?.StopGracefully(TimeSpan.FromSeconds(10));
            cluster?.Dispose();
            log.WriteLine($"failover: logs of every process in {directory}");
        }
    }

    /// <summary>Prints the table of <paramref name="result"/>.</summary>
    public static void Print(TextWriter log, Result result, BrokerageBenchOptions options)
    {
        log.WriteLine($"Failover ({options.FailoverRate} trades/s over {options.FailoverAccounts:N0} accounts, 3 run instances" +
                      (options.FailoverRunArgs.Count > 0 ? $", {string.Join(' ', options.FailoverRunArgs)}" : ", host defaults") + "):");
        log.WriteLine($"{"event",-30} | {"settled",8} | {"kept: n, longest gap",22} | {"moved: n, longest gap",22} | {"moved: again after",18} | {"p99 latency",11} | restored changelog records");
        foreach (var e in result.Events)
        {
            log.WriteLine($"{e.Name,-30} | {(double.IsPositiveInfinity(e.RecoveredSeconds) ? $"> {options.FailoverSettle.TotalSeconds:0} s" : e.RecoveredSeconds > 0 ? $"{e.RecoveredSeconds:0.0} s" : "-"),8} | " +
                          $"{(e.Stayed > 0 ? $"{e.Stayed,2}, {e.StayedMaxGapMs,8:N0} ms" : "-"),22} | {(e.Moved > 0 ? $"{e.Moved,2}, {e.MovedMaxGapMs,8:N0} ms" : "-"),22} | " +
                          $"{(e.Moved == 0 ? "-" : double.IsPositiveInfinity(e.MovedResumedMs) ? "never" : $"{e.MovedResumedMs:N0} ms"),18} | " +
                          $"{e.P99Ms,8:N0} ms | {e.Restored}");
        }

        log.WriteLine(result.Steady);
        foreach (var e in result.Events.Where(e => e.MovedDetail.Count > 0))
        {
            log.WriteLine($"{e.Name}, moved partitions (owner before -> owners during; longest gap from/to, s from the event): {string.Join("; ", e.MovedDetail)}");
        }

        log.WriteLine($"check: {result.Check}");
        foreach (var failure in result.Outcome?.Failures ?? [])
        {
            log.WriteLine($"FAILED CHECK {failure}");
        }
    }

    private static EventResult Measure(Window window, TradeChunk chunk, OutputCollector collector, long[] produceTicks, OwnershipWatch watch)
    {
        var partitions = chunk.Flow.Partitions;
        var arrivals = Enumerable.Range(0, partitions).Select(_ => new List<long>()).ToArray();
        var latencies = new List<double>();
        for (var i = 0; i < collector.Positions.Count; i++)
        {
            var position = collector.Positions[i];
            var trade = int.Parse(position.tradeId.AsSpan(1), NumberStyles.Integer, CultureInfo.InvariantCulture) - chunk.FirstTrade;
            var emit = trade >= 0 && trade < chunk.EmitSend.Length ? chunk.EmitSend[trade] : -1;
            if (emit < 0)
            {
                continue;
            }

            arrivals[chunk.Partition[emit]].Add(collector.PositionArrivals[i]);
            if (produceTicks[emit] >= window.From && produceTicks[emit] <= window.To)
            {
                latencies.Add(Stopwatch.GetElapsedTime(produceTicks[emit], collector.PositionArrivals[i]).TotalMilliseconds);
            }
        }

        // Held, not only running: a partition whose new owner restores it all through the window moved all the same.
        var during = watch.OwnersBetween(window.From, window.To, held: true);
        double stayedGap = 0, movedGap = 0, movedResumed = 0;
        int stayed = 0, moved = 0;
        var detail = new List<string>();
        for (var p = 0; p < partitions; p++)
        {
            var sorted = arrivals[p].Order().ToList();
            var previous = sorted.LastOrDefault(a => a <= window.From, window.From);
            var longest = 0.0;
            var gapFrom = previous;
            long? gapTo = null; // the arrival that ended the longest gap; null while that gap runs to the window's end
            foreach (var a in sorted.Where(a => a > window.From && a <= window.To))
            {
                var gap = Stopwatch.GetElapsedTime(previous, a).TotalMilliseconds;
                if (gap > longest)
                {
                    (longest, gapFrom, gapTo) = (gap, previous, a);
                }

                previous = a;
            }

            if (Stopwatch.GetElapsedTime(previous, window.To).TotalMilliseconds > longest)
            {
                (longest, gapFrom, gapTo) = (Stopwatch.GetElapsedTime(previous, window.To).TotalMilliseconds, previous, null);
            }

            var hasOwner = window.OwnerBefore.TryGetValue(p, out var owner);
            var kept = hasOwner && during.TryGetValue(p, out var owners) && owners.SetEquals([owner]);
            if (kept)
            {
                stayed++;
                stayedGap = Math.Max(stayedGap, longest);
            }
            else
            {
                moved++;
                movedGap = Math.Max(movedGap, longest);
                var resumed = gapTo is { } end ? Stopwatch.GetElapsedTime(window.From, end).TotalMilliseconds : double.PositiveInfinity;
                movedResumed = Math.Max(movedResumed, resumed);
                detail.Add(string.Create(CultureInfo.InvariantCulture,
                    $"p{p} {(hasOwner ? $"run-{owner}" : "?")} -> {(during.TryGetValue(p, out var d) ? string.Join("+", d.Order().Select(o => $"run-{o}")) : "?")} " +
                    $"{Seconds(gapFrom, window.From)}/{(gapTo is { } e ? Seconds(e, window.From) : "end")}"));
            }
        }

        latencies.Sort();
        var p99 = latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(latencies.Count * 0.99) - 1)];
        return new EventResult(window.Name, window.RecoveredSeconds, stayed, stayedGap, moved, movedGap, movedResumed, window.Restored, p99, latencies.Count, detail);
    }

    /// <summary>Signed seconds from <paramref name="from"/> to <paramref name="ticks"/>, two places (never "-0.00").</summary>
    private static string Seconds(long ticks, long from)
    {
        var seconds = Math.Round((ticks - from) / (double)Stopwatch.Frequency, 2);
        return (seconds == 0 ? 0 : seconds).ToString("+0.00;-0.00", CultureInfo.InvariantCulture);
    }

    /// <summary>Which instance ran each trade partition at the latest sample up to <paramref name="at"/> (last 2 s).</summary>
    private static Dictionary<int, int> Owners(OwnershipWatch watch, long at)
    {
        var owners = new Dictionary<int, int>();
        foreach (var (partition, set) in watch.OwnersBetween(at - 2 * Stopwatch.Frequency, at))
        {
            if (set.Count == 1)
            {
                owners[partition] = set.First();
            }
        }

        return owners;
    }

    /// <summary>Waits until every live instance reports Running, together they run every trade partition, and each
    /// partition had a new position since then (or, before the sender starts, only the first two).</summary>
    /// <returns>False when it did not happen within <paramref name="timeout"/> (the state of every instance is logged).</returns>
    private static async Task<bool> SettleAsync(OwnershipWatch watch, bool[] alive, long[] lastArrival, int partitions, TimeSpan timeout, string what,
        RunInstance?[] instances, TextWriter log)
    {
        var started = Stopwatch.GetTimestamp();
        long? coveredAt = null;
        var needOutputs = what != "the three instances to start";
        while (true)
        {
            var covered = new HashSet<int>();
            var running = true;
            for (var i = 0; i < alive.Length; i++)
            {
                if (!alive[i])
                {
                    continue;
                }

                if (watch.Latest(i, started) is not { } latest || latest.Status != "Running" || latest.Running.Count == 0 || instances[i]!.HasExited)
                {
                    running = false;
                    break;
                }

                covered.UnionWith(latest.Running);
            }

            if (running && covered.Count == partitions)
            {
                coveredAt ??= Stopwatch.GetTimestamp();
                if (!needOutputs || Enumerable.Range(0, partitions).All(p => Volatile.Read(ref lastArrival[p]) > coveredAt))
                {
                    return true;
                }
            }
            else
            {
                coveredAt = null;
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                log.WriteLine($"failover: no {what} within {timeout.TotalSeconds:0} s " +
                    $"({string.Join("; ", Enumerable.Range(0, alive.Length).Select(i => $"run-{i}: {(alive[i] ? watch.Latest(i, started) is { } l ? $"{l.Status}, {l.Running.Count} trade tasks running" : "no answer" : "down")}"))}).");
                return false;
            }

            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
