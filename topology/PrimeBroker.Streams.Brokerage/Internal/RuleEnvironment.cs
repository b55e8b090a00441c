using Microsoft.Extensions.Logging;
using Polly;
using PrimeBroker.Streams.Brokerage.Domain;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>What every rule processor shares: the validated options and the services. Immutable after the build.</summary>
internal sealed class RuleEnvironment
{
    public required BrokerageOptions Options { get; init; }

    public required BrokerageMetrics Metrics { get; init; }

    public required BrokerageHealth Health { get; init; }

    public required ILogger Logger { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    public required ResiliencePipeline RegistryRetry { get; init; }

    public required SettlementCalendar Calendar { get; init; }
}

internal static class RuleEnvironmentExtensions
{
    /// <summary>Rule 9 outside a processor context (the positions aggregator): log, count, raise, return to throw.</summary>
    public static BrokerageInvariantException Critical(this RuleEnvironment env, string where, string? accountId, BrokerageInvariantException failure)
    {
        env.Metrics.CriticalFailure();
        Log.CriticalFailure(env.Logger, where, accountId, failure.Message, failure);
        env.Health.Raise(new CriticalFailure(where, accountId, failure.Message, env.TimeProvider.GetUtcNow()));
        return failure;
    }
}
