using System.Globalization;
using System.Runtime.InteropServices;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Dsl;

// Child process for the engine's kill and handover tests: counts records per key with exactly-once.
//   <bootstrap> <applicationId> <stateDir> <inputTopic> <outputTopic> <sessionTimeoutMs>
// Prints "state=<State>", "tasks=<ids>", "task-restores=<id>:<n>,..." and "error=<text>" lines as they change; SIGTERM stops it gracefully
// (commit, close, leave the group) and it prints "stopped".
// With PBS_CRASH_STEP=<ChangelogWritten|MarkersWritten|KafkaCommitted> and PBS_CRASH_AT_COMMIT=<n>, the process flushes
// what it sent and kills itself (SIGKILL) at that step of its n-th commit, to crash inside the commit protocol.
// With PBS_REPORT_COMMITS=1 it prints "commit=<unix ms>:<task ids>" after every commit; PBS_COOPERATIVE=1 sets
// StreamsConfig.CooperativeRebalancing; PBS_GROUP_PROTOCOL=consumer sets StreamsConfig.GroupProtocol to KIP-848 (the
// embedded cluster's consumer-group session timeout then applies, not <sessionTimeoutMs>). PBS_LOG_FILE=<path> writes every engine message down to debug there, and
// PBS_CLIENT_DEBUG=<contexts> (librdkafka's debug setting, e.g. cgrp) adds the Kafka clients' debug log to it.
// PBS_SLOW_COMMIT_MS=<n> holds the stream thread n ms in every commit (a stand-in for a loaded machine).
// PBS_STANDBYS=<n> sets StreamsConfig.NumStandbyReplicas, with the application server "<state dir name>:1" (placement
// reads the instance directory; nothing connects to it); it then prints "standbys=<ids>" as they change and
// "standby-applied=<n>" (changelog records its standbys applied) at most every 200 ms.
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: <bootstrap> <applicationId> <stateDir> <inputTopic> <outputTopic> <sessionTimeoutMs>");
    return 2;
}

if (Enum.TryParse<PrimeBroker.Streams.Engine.Internal.Processing.CommitStep>(Environment.GetEnvironmentVariable("PBS_CRASH_STEP"), out var crashStep))
{
    var crashAt = int.Parse(Environment.GetEnvironmentVariable("PBS_CRASH_AT_COMMIT") ?? "1", CultureInfo.InvariantCulture);
    var seen = 0;
    PrimeBroker.Streams.Engine.Internal.Processing.TaskCommitter.StepObserver = (step, flush) =>
    {
        if (step == crashStep && ++seen >= crashAt)
        {
            flush();
            Console.WriteLine($"crashing at {step} of commit {seen}");
            Console.Out.Flush();
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
    };
}

if (int.TryParse(Environment.GetEnvironmentVariable("PBS_SLOW_COMMIT_MS"), out var slowCommitMs) && Environment.GetEnvironmentVariable("PBS_CRASH_STEP") is null)
{
    // Stands in for a loaded machine in rebalance investigations: every commit (also the one in a revoke callback)
    // holds the stream thread this long after its changelog records are written.
    PrimeBroker.Streams.Engine.Internal.Processing.TaskCommitter.StepObserver = (step, _) =>
    {
        if (step == PrimeBroker.Streams.Engine.Internal.Processing.CommitStep.ChangelogWritten)
        {
            Thread.Sleep(slowCommitMs);
        }
    };
}

if (Environment.GetEnvironmentVariable("PBS_REPORT_COMMITS") == "1")
{
    // For takeover measurements: the wall-clock time (Unix ms) of every commit and the tasks it covered.
    PrimeBroker.Streams.Engine.Internal.Processing.TaskCommitter.CommitObserver = tasks =>
        Console.WriteLine($"commit={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}:{string.Join(",", tasks)}");
}

var builder = new StreamsBuilder();
builder.Stream(args[3], Consumed.With(Serdes.String, Serdes.String))
    .GroupByKey()
    .Count(Materialized<string, long>.As("counts"))
    .ToStream()
    .To(args[4], Produced<string, long>.With(Serdes.String, Serdes.Int64));

var sessionTimeout = TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture));
var standbyReplicas = int.TryParse(Environment.GetEnvironmentVariable("PBS_STANDBYS"), out var replicas) ? replicas : 0;
var config = new StreamsConfig
{
    BootstrapServers = args[0],
    ApplicationId = args[1],
    StateDirectory = args[2],
    SessionTimeout = sessionTimeout,
    HeartbeatInterval = sessionTimeout / 5,
    CommitInterval = TimeSpan.FromMilliseconds(50),
    InternalTopicReplicationFactor = 3,
    CooperativeRebalancing = Environment.GetEnvironmentVariable("PBS_COOPERATIVE") == "1",
    GroupProtocol = string.Equals(Environment.GetEnvironmentVariable("PBS_GROUP_PROTOCOL"), "consumer", StringComparison.OrdinalIgnoreCase)
        ? GroupProtocol.Consumer : GroupProtocol.Classic,
    NumStandbyReplicas = standbyReplicas,
    ApplicationServer = standbyReplicas > 0 ? $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(args[2]))}:1" : null,
    ClientConfig = Environment.GetEnvironmentVariable("PBS_CLIENT_DEBUG") is { Length: > 0 } debug
        ? new Dictionary<string, string> { ["debug"] = debug }
        : new Dictionary<string, string>(),
};

using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

await using var app = new StreamsApplication(builder.Build(), config, new PrimeBroker.Streams.Engine.CountApp.ConsoleWarningLogger(Environment.GetEnvironmentVariable("PBS_LOG_FILE")));
await app.StartAsync();
string? lastState = null, lastTasks = null, lastErrors = null, lastRestores = null, lastStandbys = null;
long lastStandbyApplied = 0, lastStandbyReport = 0;
long lastSkipped = 0, lastRestored = 0;
using var report = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
while (!stop.IsCancellationRequested)
{
    // Restores first: a task is counted as restored before it runs, so a reader that sees it in "tasks=" has already
    // seen its restore in "restore=".
    var (restored, skipped) = (app.Metrics.RestoredTotal, app.Metrics.RestoreSkippedUncommittedTotal);
    if (restored != lastRestored || skipped != lastSkipped)
    {
        // Totals of this process: records restores applied, and records they skipped as never committed.
        Console.WriteLine($"restore={restored},{skipped}");
        (lastRestored, lastSkipped) = (restored, skipped);
    }
    var state = app.State.ToString();
    var tasks = string.Join(",", app.ActiveTasks);
    var errors = string.Join(" | ", app.Errors);
    if (state != lastState) { Console.WriteLine($"state={state}"); lastState = state; }
    if (tasks != lastTasks) { Console.WriteLine($"tasks={tasks}"); lastTasks = tasks; }
    if (errors != lastErrors && errors.Length > 0) { Console.WriteLine($"error={errors}"); lastErrors = errors; }
    var restores = string.Join(",", app.Metrics.TaskRestores.OrderBy(e => e.Key).Select(e => $"{e.Key}:{e.Value}"));
    if (restores != lastRestores) { Console.WriteLine($"task-restores={restores}"); lastRestores = restores; }
    if (standbyReplicas > 0)
    {
        var standbys = string.Join(",", app.Health.Tasks.Where(t => t.State == TaskHealthState.Standby).Select(t => t.TaskId).Order());
        if (standbys != lastStandbys) { Console.WriteLine($"standbys={standbys}"); lastStandbys = standbys; }
        if (app.Metrics.StandbyAppliedTotal != lastStandbyApplied && Environment.TickCount64 - lastStandbyReport >= 200)
        {
            lastStandbyApplied = app.Metrics.StandbyAppliedTotal;
            lastStandbyReport = Environment.TickCount64;
            Console.WriteLine($"standby-applied={lastStandbyApplied}");
        }
    }

    try
    {
        await report.WaitForNextTickAsync(stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
}

await app.StopAsync();
Console.WriteLine("stopped");
return 0;
