using System.Diagnostics.Metrics;

namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// The prime broker's metrics, on meter <see cref="MeterName"/>. Counters are per process (use
/// <see cref="BrokerageQueries.Counters"/> for exact, crash-safe totals per instance); thread-safe.
/// </summary>
/// <remarks>
/// Instruments: <c>pb.events.applied</c> (trade events booked), <c>pb.events.duplicates_skipped</c> (sequence number
/// below the expected one), <c>pb.events.idempotency_skipped</c>, <c>pb.events.held</c> (held behind a gap),
/// <c>pb.events.dead_lettered</c> (attribute <c>error.type</c>, OpenTelemetry's name for a class of error: a <see cref="DeadLetterReason"/> name),
/// <c>pb.gaps.alerted</c>, <c>pb.gaps.resolved</c>, <c>pb.registry.retries</c>, <c>pb.critical_failures</c>.
/// </remarks>
public sealed class BrokerageMetrics : IDisposable
{
    /// <summary>The meter's name: <c>PrimeBroker.Streams.Brokerage</c>.</summary>
    public const string MeterName = "PrimeBroker.Streams.Brokerage";

    private readonly Meter _meter;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _idempotencySkips;
    private readonly Counter<long> _held;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _gapsAlerted;
    private readonly Counter<long> _gapsResolved;
    private readonly Counter<long> _registryRetries;
    private readonly Counter<long> _criticalFailures;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a new meter when null.</summary>
    public BrokerageMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _applied = _meter.CreateCounter<long>("pb.events.applied", "{event}", "Trade events booked (created, amended, cancelled).");
        _duplicates = _meter.CreateCounter<long>("pb.events.duplicates_skipped", "{event}", "Events skipped because their sequence number was already passed.");
        _idempotencySkips = _meter.CreateCounter<long>("pb.events.idempotency_skipped", "{event}", "Events skipped because their idempotency key was applied within the window.");
        _held = _meter.CreateCounter<long>("pb.events.held", "{event}", "Events held behind a sequence gap.");
        _deadLettered = _meter.CreateCounter<long>("pb.events.dead_lettered", "{event}", "Records sent to the dead-letter topic, by reason.");
        _gapsAlerted = _meter.CreateCounter<long>("pb.gaps.alerted", "{gap}", "Sequence gaps open longer than the alert timeout.");
        _gapsResolved = _meter.CreateCounter<long>("pb.gaps.resolved", "{gap}", "Sequence gaps resolved by an operator command.");
        _registryRetries = _meter.CreateCounter<long>("pb.registry.retries", "{retry}", "Retries of schema-registry look-ups while decoding.");
        _criticalFailures = _meter.CreateCounter<long>("pb.critical_failures", "{failure}", "Broken invariants that stopped a task.");
    }

    internal void Applied() => _applied.Add(1);

    internal void DuplicateSkipped() => _duplicates.Add(1);

    internal void IdempotencySkipped() => _idempotencySkips.Add(1);

    internal void Held() => _held.Add(1);

    internal void DeadLettered(DeadLetterReason reason) => _deadLettered.Add(1, new KeyValuePair<string, object?>("error.type", reason.ToString()));

    internal void GapAlerted() => _gapsAlerted.Add(1);

    internal void GapResolved() => _gapsResolved.Add(1);

    internal void RegistryRetry() => _registryRetries.Add(1);

    internal void CriticalFailure() => _criticalFailures.Add(1);

    /// <summary>Disposes the meter (a no-op for a meter owned by an <see cref="IMeterFactory"/>, which disposes it).</summary>
    public void Dispose() => _meter.Dispose();
}
