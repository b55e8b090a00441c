using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>The stored totals of one (account, currency) in <see cref="BrokerageStores.LedgerBalances"/>; signs as in
/// <see cref="LedgerBalance"/> (<see cref="Pnl"/> is the P&amp;L accounts' debit-positive balance).</summary>
internal sealed record LedgerBalanceEntry
{
    public decimal Cash { get; init; }

    public decimal Securities { get; init; }

    public decimal Pnl { get; init; }

    public decimal Debits { get; init; }

    public decimal Credits { get; init; }

    public long Entries { get; init; }

    public long LastSequence { get; init; }

    public long UpdatedAtMs { get; init; }

    public LedgerBalance ToBalance(string accountId, string currency) => new()
    {
        AccountId = accountId,
        Currency = currency,
        Cash = Cash,
        Securities = Securities,
        RealizedPnl = -Pnl,
        Debits = Debits,
        Credits = Credits,
        Entries = Entries,
        LastSequenceNumber = LastSequence,
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAtMs),
    };
}

/// <summary>
/// Keeps <see cref="BrokerageStores.LedgerBalances"/>: (account, currency) → running totals of the entries posted for
/// it. The entries of one booked event are all of one account and one currency (the trade's), so an event costs one
/// read and one write of one key, however many entries it posts (a create one, an amend two, plus a realized-P&amp;L one).
/// </summary>
internal sealed class LedgerBalances(IKeyValueStore<string, LedgerBalanceEntry> store)
{
    /// <summary>Adds <paramref name="entries"/> (balanced, checked by <see cref="LedgerPosting"/>) to the totals of
    /// (<paramref name="accountId"/>, <paramref name="currency"/>). Nothing is written for no entries.</summary>
    public void Post(string accountId, string currency, IReadOnlyList<LedgerEntryCreated> entries, long sequenceNumber, long timestamp)
    {
        if (entries.Count == 0)
        {
            return;
        }

        string key = StoreKeys.LedgerBalance(accountId, currency);
        LedgerBalanceEntry totals = store.TryGet(key, out LedgerBalanceEntry? current) && current is not null ? current : new LedgerBalanceEntry();
        foreach (LedgerEntryCreated entry in entries)
        {
            decimal debit = Money.FromAvro(entry.debitEntry.amount);
            decimal credit = Money.FromAvro(entry.creditEntry.amount);
            totals = Leg(Leg(totals, accountId, entry.debitEntry.account, debit), accountId, entry.creditEntry.account, -credit) with
            {
                Debits = totals.Debits + debit,
                Credits = totals.Credits + credit,
                Entries = totals.Entries + 1,
            };
        }

        store.Put(key, totals with { LastSequence = sequenceNumber, UpdatedAtMs = timestamp });
    }

    /// <summary>Adds a signed (debit-positive) amount to the balance the ledger account's kind names (by its prefix, so
    /// an instrument id can never be mistaken for a kind).</summary>
    private static LedgerBalanceEntry Leg(LedgerBalanceEntry totals, string accountId, string ledgerAccount, decimal signed) =>
        ledgerAccount.StartsWith(accountId + ":CASH:", StringComparison.Ordinal) ? totals with { Cash = totals.Cash + signed }
        : ledgerAccount.StartsWith(accountId + ":PNL:", StringComparison.Ordinal) ? totals with { Pnl = totals.Pnl + signed }
        : totals with { Securities = totals.Securities + signed };
}
