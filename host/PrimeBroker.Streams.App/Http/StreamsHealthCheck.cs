using Microsoft.Extensions.Diagnostics.HealthChecks;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Http;

/// <summary>Readiness: healthy when every stream thread runs with its tasks restored and no task stopped on an error
/// (the engine's <see cref="StreamsApplication.Errors"/> and the domain's critical failures); unhealthy while restoring,
/// rebalancing, or after a critical error.</summary>
internal sealed class StreamsHealthCheck(StreamsApplication application, BrokerageHealth brokerage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = application.State;
        var errors = application.Errors.Concat(brokerage.CriticalFailures.Select(f => $"task {f.Task} critical: {f.Message}")).ToList();
        var data = new Dictionary<string, object> { ["state"] = state.ToString(), ["errors"] = errors, ["activeTasks"] = application.ActiveTasks.Select(t => t.ToString()).ToList() };
        return Task.FromResult(state == StreamsState.Running && errors.Count == 0
            ? HealthCheckResult.Healthy("running", data)
            : HealthCheckResult.Unhealthy(errors.Count > 0 ? "a task stopped on a critical error" : $"not ready: {state}", data: data));
    }
}
