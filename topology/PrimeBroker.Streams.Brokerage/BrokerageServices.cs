using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// The services a built topology uses at run time; every one is optional. Immutable; share one instance with the host
/// so that it can read <see cref="Health"/> and the metrics.
/// </summary>
public sealed record BrokerageServices
{
    /// <summary>Clock of the registry retries' backoff. Default <see cref="TimeProvider.System"/>; tests pass a fake.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Logger factory for the topology's messages (category <c>PrimeBroker.Streams.Brokerage</c>). Default none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The metrics; default a new <see cref="BrokerageMetrics"/> on its own meter.</summary>
    public BrokerageMetrics? Metrics { get; init; }

    /// <summary>The health signal of rule 9; default a new one (then nobody can read it: pass your own).</summary>
    public BrokerageHealth Health { get; init; } = new();

    /// <summary>Creates services whose metrics come from <paramref name="meterFactory"/>.</summary>
    public static BrokerageServices WithMeterFactory(IMeterFactory meterFactory) => new() { Metrics = new BrokerageMetrics(meterFactory) };
}
