using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Rule 7: every booking and every reversal posts one balanced <c>LedgerEntryCreated</c> (see <see cref="LedgerPosting"/>),
/// and a change of the position's realized P&amp;L posts one more, between the securities and the P&amp;L account.
/// Validation and the position rule dead-letter every amount that could not balance or be serialized.
/// An entry that would not balance stops the task (rule 9) before anything of the record is committed.
/// </summary>
internal sealed class LedgerProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    public static string[] StoreNames => [BrokerageStores.Counters];

    protected override bool Handle(Record<string, Flow> record)
    {
        if (record.Value is not BookedFlow booked)
        {
            return false;
        }

        foreach (TradeEffect effect in booked.Effects)
        {
            try
            {
                Forward(booked.Trade.AccountId, new LedgerFlow(LedgerPosting.Post(booked.Trade, effect, booked.Event.SequenceNumber, booked.Event.Timestamp)), record.Timestamp);
            }
            catch (BrokerageInvariantException e)
            {
                throw Critical(booked.Trade.AccountId, e);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw Critical(booked.Trade.AccountId, new BrokerageInvariantException($"Ledger entry {effect.LedgerEntryId} has an amount outside decimal(28,8): {e.Message}", e));
            }
        }

        if (booked.RealizedPnlChange != 0)
        {
            try
            {
                Forward(booked.Trade.AccountId, new LedgerFlow(LedgerPosting.PostRealizedPnl(booked.Trade, booked.RealizedPnlEntryId, booked.RealizedPnlChange, booked.Event.SequenceNumber, booked.Event.Timestamp)), record.Timestamp);
            }
            catch (BrokerageInvariantException e)
            {
                throw Critical(booked.Trade.AccountId, e);
            }
        }

        Context.Forward(record);
        return true;
    }
}
