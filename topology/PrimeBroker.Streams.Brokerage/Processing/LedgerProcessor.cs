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
    private LedgerBalances _balances = null!;

    public static string[] StoreNames => [BrokerageStores.LedgerBalances, BrokerageStores.Counters];

    public override void Init(IProcessorContext<string, Flow> context)
    {
        base.Init(context);
        _balances = new LedgerBalances(context.GetStateStore<string, LedgerBalanceEntry>(BrokerageStores.LedgerBalances));
    }

    protected override bool Handle(Record<string, Flow> record)
    {
        if (record.Value is not BookedFlow booked)
        {
            return false;
        }

        var posted = new List<Contracts.LedgerEntryCreated>(booked.Effects.Count + 1);
        foreach (TradeEffect effect in booked.Effects)
        {
            try
            {
                posted.Add(LedgerPosting.Post(booked.Trade, effect, booked.Event.SequenceNumber, booked.Event.Timestamp));
                Forward(booked.Trade.AccountId, new LedgerFlow(posted[^1]), record.Timestamp);
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
                posted.Add(LedgerPosting.PostRealizedPnl(booked.Trade, booked.RealizedPnlEntryId, booked.RealizedPnlChange, booked.Event.SequenceNumber, booked.Event.Timestamp));
                Forward(booked.Trade.AccountId, new LedgerFlow(posted[^1]), record.Timestamp);
            }
            catch (BrokerageInvariantException e)
            {
                throw Critical(booked.Trade.AccountId, e);
            }
        }

        // The dashboard's balances: one write of (account, currency) for everything this event posted.
        _balances.Post(booked.Trade.AccountId, booked.Trade.Currency, posted, booked.Event.SequenceNumber, booked.Event.Timestamp);
        Context.Forward(record);
        return true;
    }
}
