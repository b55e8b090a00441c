using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// The ids sequencing does not need, checked right after sequencing, so that an event missing one still consumes its
/// sequence number (rule 5) and its successors are not held behind it: trade id, idempotency key, and for a created
/// trade the instrument id. A failure is dead-lettered.
/// </summary>
internal sealed class RequiredIdsProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    public static string[] StoreNames => [BrokerageStores.Counters];

    protected override bool Handle(Record<string, Flow> record)
    {
        if (record.Value is not EventFlow { Event: var e })
        {
            return false;
        }

        (DeadLetterReason Reason, string Message)? failure =
            !DecodeProcessor.IsValidId(e.TradeId) ? (DeadLetterReason.MissingTradeId, "The event has no trade id.")
            : !DecodeProcessor.IsValidId(e.IdempotencyKey) ? (DeadLetterReason.MissingIdempotencyKey, "The event has no idempotency key.")
            : e.Kind == TradeEventKind.Created && !DecodeProcessor.IsValidId(e.InstrumentId) ? (DeadLetterReason.MissingInstrumentId, "The created trade has no instrument id.")
            : null;
        if (failure is { } f)
        {
            DeadLetter(e.Source, e.AccountId, f.Reason, $"{f.Message} Sequence number {e.SequenceNumber} of account {e.AccountId} is consumed.");
            return true;
        }

        return false;
    }
}
