namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// The ledger of one account in one currency: the running totals of every <c>LedgerEntryCreated</c> the topology posted
/// for it (the chart of accounts in topology/README.md), kept in <see cref="BrokerageStores.LedgerBalances"/>. Immutable.
/// </summary>
/// <remarks>
/// Balances are signed debit-positive, as a ledger keeps them: <see cref="Cash"/> is negative after a buy (cash paid
/// away) and positive after a sell; <see cref="Securities"/> is the open positions at cost; the P&amp;L account is
/// credited by a gain, so <see cref="RealizedPnl"/> (credit-positive) is minus its balance. Every entry is balanced, so
/// <see cref="Debits"/> = <see cref="Credits"/> and Cash + Securities − RealizedPnl = 0; <see cref="IsBalanced"/> checks
/// both, from totals kept apart, so a lost or doubled leg shows.
/// </remarks>
public sealed record LedgerBalance
{
    /// <summary>The account.</summary>
    public required string AccountId { get; init; }

    /// <summary>ISO 4217 code of every amount here.</summary>
    public required string Currency { get; init; }

    /// <summary>Balance of the cash account <c>{account}:CASH:{currency}</c> (debit-positive).</summary>
    public decimal Cash { get; init; }

    /// <summary>Balance of the securities accounts <c>{account}:SEC:{instrument}</c> of this currency, at cost (debit-positive).</summary>
    public decimal Securities { get; init; }

    /// <summary>Realized P&amp;L of this currency: minus the balance of the <c>{account}:PNL:{instrument}</c> accounts (a gain is positive).</summary>
    public decimal RealizedPnl { get; init; }

    /// <summary>Sum of every debit leg posted.</summary>
    public decimal Debits { get; init; }

    /// <summary>Sum of every credit leg posted.</summary>
    public decimal Credits { get; init; }

    /// <summary>Ledger entries posted.</summary>
    public long Entries { get; init; }

    /// <summary>Sequence number of the event that posted last.</summary>
    public long LastSequenceNumber { get; init; }

    /// <summary>Event time of the last posting, UTC.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Debits equal credits and the account balances sum to zero.</summary>
    public bool IsBalanced => Debits == Credits && Cash + Securities - RealizedPnl == 0;
}
