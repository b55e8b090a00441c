using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Rule 4: an event whose idempotency key was applied within <see cref="BrokerageOptions.IdempotencyWindow"/> of its
/// event time is skipped and counted, whatever its sequence number (a producer retry that was re-sequenced). Keys are
/// recorded when an event is booked (<see cref="BookingProcessor"/>), so a rejected event does not block a corrected
/// resend. A wall-clock punctuator removes keys older than the window from the newest event time this task has seen,
/// at most <see cref="BrokerageOptions.MaxIdempotencyExpiriesPerRun"/> per run, by a range scan of the time index.
/// </summary>
internal sealed class IdempotencyProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    private IdempotencyLog _log = null!;
    private long _newestEventTimeMs = long.MinValue;

    public static string[] StoreNames => [.. IdempotencyLog.StoreNames, BrokerageStores.Counters];

    public override void Init(IProcessorContext<string, Flow> context)
    {
        base.Init(context);
        _log = new IdempotencyLog(
            context.GetStateStore<string, IdempotencyEntry>(BrokerageStores.Idempotency),
            context.GetStateStore<string, string>(BrokerageStores.IdempotencyByTime),
            Env.Options.IdempotencyWindow);
        context.Schedule(Env.Options.IdempotencyExpiryInterval, PunctuationType.WallClockTime, _ => Expire());
    }

    protected override bool Handle(Record<string, Flow> record)
    {
        if (record.Value is not EventFlow { Event: var e })
        {
            return false;
        }

        _newestEventTimeMs = Math.Max(_newestEventTimeMs, e.Timestamp);
        if (_log.WasApplied(e.AccountId, e.IdempotencyKey, e.Timestamp, out _))
        {
            Counters.Increment(CounterStore.IdempotencySkipped);
            Env.Metrics.IdempotencySkipped();
            Log.IdempotencySkipped(Env.Logger, e.AccountId, e.IdempotencyKey, e.SequenceNumber);
            return true;
        }

        return false;
    }

    /// <summary>Expires keys older than the window; returns how many. Nothing before this task saw an event.</summary>
    internal int Expire() =>
        _newestEventTimeMs == long.MinValue
            ? 0
            : _log.ExpireBefore(_newestEventTimeMs - (long)Env.Options.IdempotencyWindow.TotalMilliseconds, Env.Options.MaxIdempotencyExpiriesPerRun);
}
