using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Rule 4: an event whose idempotency key was applied within <see cref="BrokerageOptions.IdempotencyWindow"/> of its
/// event time is skipped and counted, whatever its sequence number (a producer retry that was re-sequenced), when its
/// content (<see cref="EventContent"/>) is the applied event's; with other content it is a conflicting duplicate,
/// dead-lettered (<see cref="DeadLetterReason.ConflictingIdempotencyKey"/>) and alerted. Keys are
/// recorded when an event is booked (<see cref="BookingProcessor"/>), so a rejected event does not block a corrected
/// resend. Expiry is per account, when the account books an event (<see cref="BookingProcessor"/>): its keys older than
/// the window before that event's time go, so one account's events (whose times any producer sets) never expire
/// another account's keys.
/// </summary>
internal sealed class IdempotencyProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    private IdempotencyLog _log = null!;

    public static string[] StoreNames => [.. IdempotencyLog.StoreNames, BrokerageStores.Counters];

    public override void Init(IProcessorContext<string, Flow> context)
    {
        base.Init(context);
        _log = new IdempotencyLog(
            context.GetStateStore<string, IdempotencyEntry>(BrokerageStores.Idempotency),
            context.GetStateStore<string, string>(BrokerageStores.IdempotencyByTime),
            Env.Options.IdempotencyWindow);
    }

    protected override bool Handle(Record<string, Flow> record)
    {
        if (record.Value is not EventFlow { Event: var e })
        {
            return false;
        }

        if (_log.WasApplied(e.AccountId, e.IdempotencyKey, e.Timestamp, out IdempotencyEntry? applied))
        {
            if (applied!.Digest is { } digest && digest != EventContent.Digest(e))
            {
                ConflictingDuplicate(e, DeadLetterReason.ConflictingIdempotencyKey, $"Idempotency key {e.IdempotencyKey}",
                    (applied.TradeId, applied.SequenceNumber, e.IdempotencyKey));
                return true;
            }

            Counters.Increment(CounterStore.IdempotencySkipped);
            Env.Metrics.IdempotencySkipped();
            Log.IdempotencySkipped(Env.Logger, e.AccountId, e.IdempotencyKey, e.SequenceNumber);
            return true;
        }

        return false;
    }
}
