using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Domain;

/// <summary>
/// Double-entry postings, as pure functions (the chart of accounts is in topology/README.md). Ledger accounts:
/// <c>{account}:SEC:{instrument}</c> (securities, at cost), <c>{account}:CASH:{currency}</c> and
/// <c>{account}:PNL:{instrument}</c> (realized P&amp;L). An effect in the BUY direction debits securities and credits
/// cash; SELL the reverse; a reversal has the opposite direction of its trade, so it swaps them. Both legs carry the
/// effect's notional in the trade's currency. A realized gain moves its amount from securities to P&amp;L (debit
/// securities, credit P&amp;L), a loss the reverse, so a flat position's securities account is zero.
/// </summary>
internal static class LedgerPosting
{
    public static string SecuritiesAccount(string accountId, string instrumentId) => $"{accountId}:SEC:{instrumentId}";

    public static string CashAccount(string accountId, string currency) => $"{accountId}:CASH:{currency}";

    public static string PnlAccount(string accountId, string instrumentId) => $"{accountId}:PNL:{instrumentId}";

    /// <summary>The entry moving a change of realized P&amp;L (non-zero, 8 places) between securities and P&amp;L.</summary>
    /// <exception cref="BrokerageInvariantException">The entry would not balance or its amount is not a contract amount.</exception>
    public static LedgerEntryCreated PostRealizedPnl(TradeState trade, string ledgerEntryId, decimal change, long sequenceNumber, long timestamp)
    {
        var securities = new LedgerLeg { account = SecuritiesAccount(trade.AccountId, trade.InstrumentId), currency = trade.Currency };
        var pnl = new LedgerLeg { account = PnlAccount(trade.AccountId, trade.InstrumentId), currency = trade.Currency };
        try
        {
            securities.amount = pnl.amount = Money.ToAvro(Math.Abs(change));
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new BrokerageInvariantException($"Ledger entry {ledgerEntryId} has an amount outside decimal(28,8): {e.Message}", e);
        }

        var entry = new LedgerEntryCreated
        {
            ledgerEntryId = ledgerEntryId,
            tradeId = trade.TradeId,
            debitEntry = change > 0 ? securities : pnl,
            creditEntry = change > 0 ? pnl : securities,
            timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestamp).UtcDateTime,
            sequenceNumber = sequenceNumber,
        };
        CheckBalanced(entry);
        return entry;
    }

    /// <summary>The entry for one effect of <paramref name="trade"/>, checked to balance before it is returned.</summary>
    /// <exception cref="BrokerageInvariantException">The entry would not balance or its amount is not a contract amount.</exception>
    public static LedgerEntryCreated Post(TradeState trade, TradeEffect effect, long sequenceNumber, long timestamp)
    {
        var securities = new LedgerLeg
        {
            account = SecuritiesAccount(trade.AccountId, trade.InstrumentId),
            amount = Money.ToAvro(effect.Notional),
            currency = trade.Currency,
        };
        var cash = new LedgerLeg
        {
            account = CashAccount(trade.AccountId, trade.Currency),
            amount = Money.ToAvro(effect.Notional),
            currency = trade.Currency,
        };
        bool buy = effect.Direction == TradeSide.BUY;
        var entry = new LedgerEntryCreated
        {
            ledgerEntryId = effect.LedgerEntryId,
            tradeId = trade.TradeId,
            debitEntry = buy ? securities : cash,
            creditEntry = buy ? cash : securities,
            timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestamp).UtcDateTime,
            sequenceNumber = sequenceNumber,
        };
        CheckBalanced(entry);
        return entry;
    }

    /// <summary>Debit and credit: equal positive amounts, one currency, two different ledger accounts.</summary>
    /// <exception cref="BrokerageInvariantException">The entry does not balance.</exception>
    public static void CheckBalanced(LedgerEntryCreated entry)
    {
        decimal debit = Money.FromAvro(entry.debitEntry.amount);
        decimal credit = Money.FromAvro(entry.creditEntry.amount);
        if (debit != credit || debit <= 0 || entry.debitEntry.currency != entry.creditEntry.currency || entry.debitEntry.account == entry.creditEntry.account)
        {
            throw new BrokerageInvariantException(
                $"Ledger entry {entry.ledgerEntryId} does not balance: debit {debit} {entry.debitEntry.currency} to {entry.debitEntry.account}, credit {credit} {entry.creditEntry.currency} to {entry.creditEntry.account}.");
        }
    }
}
