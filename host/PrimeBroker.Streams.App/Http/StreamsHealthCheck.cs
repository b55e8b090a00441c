using Microsoft.Extensions.Diagnostics.HealthChecks;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Http;

/// <summary>Readiness from the engine's <see cref="StreamsApplication.Health"/> and the domain's critical failures:
/// healthy when running with every task restored; degraded (still ready, reported with the engine's problems) when a
/// task stalled or is retrying; unhealthy while starting, restoring or rebalancing, and after a task stopped on a
/// critical error.</summary>
internal sealed class StreamsHealthCheck(StreamsApplication application, BrokerageHealth brokerage, InstancePhase phase) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = application.Health;
        var critical = brokerage.CriticalFailures.Select(f => $"task {f.Task} critical: {f.Message}").ToList();
        var problems = health.Problems.Concat(application.Errors).Concat(critical).Distinct().ToList();
        var data = new Dictionary<string, object>
        {
            ["status"] = health.Status.ToString(),
            ["phase"] = phase.Describe(),
            ["problems"] = problems,
            ["activeTasks"] = application.ActiveTasks.Select(t => t.ToString()).ToList(),
            // A restoring task says how far its restore is: changelog offsets still to read (-1 until its first end is known).
            ["tasks"] = health.Tasks.Select(t => t.State == TaskHealthState.Restoring
                ? $"{t.TaskId} {t.State} lag={t.Lag} remaining={t.RestoreRemaining}"
                : $"{t.TaskId} {t.State} lag={t.Lag}").ToList(),
            ["restoreRemaining"] = health.Tasks.Where(t => t.RestoreRemaining >= 0).ToDictionary(t => t.TaskId.ToString(), t => t.RestoreRemaining),
        };
        return Task.FromResult((health.Status, critical.Count) switch
        {
            (_, > 0) => HealthCheckResult.Unhealthy("a task stopped on a critical error", data: data),
            (StreamsHealthStatus.Running, _) => HealthCheckResult.Healthy("running", data),
            (StreamsHealthStatus.Degraded, _) => HealthCheckResult.Degraded("degraded: " + string.Join("; ", health.Problems), data: data),
            // Starting and restoring are not failures: say how far the start is ("not ready: Restoring 3 of 20 tasks").
            (StreamsHealthStatus.Starting or StreamsHealthStatus.Restoring, _) => HealthCheckResult.Unhealthy($"not ready: {data["phase"]}", data: data),
            _ => HealthCheckResult.Unhealthy($"not ready: {health.Status}", data: data),
        });
    }
}
