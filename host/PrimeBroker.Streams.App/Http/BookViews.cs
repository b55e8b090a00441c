using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Http;

/// <summary>The ledger of one account in one currency (<see cref="LedgerBalance"/>): cash and securities at cost
/// signed debit-positive (cash is negative after buys), realized P&amp;L credit-positive, the debit and credit totals, and
/// whether they balance. <paramref name="Instance"/> is the instance whose task holds the account.</summary>
public sealed record LedgerBalanceView(string AccountId, string Currency, decimal Cash, decimal Securities, decimal RealizedPnl, decimal Debits,
    decimal Credits, long Entries, bool Balanced, string Instance)
{
    internal static LedgerBalanceView From(LedgerBalance b, string instance) =>
        new(b.AccountId, b.Currency, b.Cash, b.Securities, b.RealizedPnl, b.Debits, b.Credits, b.Entries, b.IsBalanced, instance);
}

/// <summary>The ledger of one currency summed over accounts: the book's debits = credits check. <see cref="Balanced"/>
/// holds when debits equal credits, the balances sum to zero and no account of the currency is unbalanced.</summary>
public sealed record CurrencyLedgerView(string Currency, int Accounts, decimal Cash, decimal Securities, decimal RealizedPnl, decimal Debits,
    decimal Credits, int UnbalancedAccounts)
{
    /// <summary>Debits = credits, Cash + Securities − RealizedPnl = 0 and every account balanced.</summary>
    public bool Balanced => Debits == Credits && Cash + Securities - RealizedPnl == 0 && UnbalancedAccounts == 0;

    internal CurrencyLedgerView Add(CurrencyLedgerView other) => new(Currency, Accounts + other.Accounts, Cash + other.Cash, Securities + other.Securities,
        RealizedPnl + other.RealizedPnl, Debits + other.Debits, Credits + other.Credits, UnbalancedAccounts + other.UnbalancedAccounts);
}

/// <summary>One instance's part of the ledger (<c>GET /ledger/balances/local</c>): per-currency totals over all its
/// accounts, and its first accounts by id (at most the asked limit).</summary>
public sealed record LedgerPart(string Instance, IReadOnlyList<int> Partitions, IReadOnlyList<CurrencyLedgerView> Currencies,
    IReadOnlyList<LedgerBalanceView> Accounts, int AccountBalances) : IInstancePart;

/// <summary><c>GET /ledger/balances</c>: the book's ledger from every instance. <paramref name="Complete"/> is false while
/// an instance does not answer or partitions move: the totals are then not the whole book.</summary>
public sealed record LedgerView(IReadOnlyList<CurrencyLedgerView> Currencies, IReadOnlyList<LedgerBalanceView> Accounts, int AccountBalances,
    bool Complete, IReadOnlyList<string> UnreachableInstances);

/// <summary>One instance's part of the settlement ladder (<c>GET /settlements/ladder/local</c>).</summary>
public sealed record LadderPart(string Instance, IReadOnlyList<int> Partitions, IReadOnlyList<SettlementLadderRow> Rows) : IInstancePart;

/// <summary><c>GET /settlements/ladder</c>: per value date from <paramref name="From"/> and currency, over every instance.</summary>
public sealed record LadderView(DateOnly From, IReadOnlyList<SettlementLadderRow> Rows, bool Complete, IReadOnlyList<string> UnreachableInstances);

/// <summary>A position valued at its instrument's latest price: market value = quantity × price and unrealized P&amp;L
/// (null when the instrument has no price on this instance).</summary>
public sealed record ExposureView(string AccountId, string InstrumentId, string? Symbol, string? AssetClass, string Currency, decimal Quantity,
    decimal? Price, decimal? MarketValue, decimal? UnrealizedPnl, string Instance);

/// <summary>Market value of the open positions of one currency: long (Σ positive), short (Σ negative), gross
/// (long − short) and net (long + short); <paramref name="Unpriced"/> positions have no price and are not in the sums.</summary>
public sealed record CurrencyExposureView(string Currency, int Positions, decimal Long, decimal Short, int Unpriced)
{
    /// <summary>Long − short: the absolute market value.</summary>
    public decimal Gross => Long - Short;

    /// <summary>Long + short.</summary>
    public decimal Net => Long + Short;

    internal CurrencyExposureView Add(CurrencyExposureView other) =>
        new(Currency, Positions + other.Positions, Long + other.Long, Short + other.Short, Unpriced + other.Unpriced);
}

/// <summary>One instance's part of the exposures (<c>GET /exposures/local</c>): its largest positions by absolute market
/// value and its per-currency sums.</summary>
public sealed record ExposurePart(string Instance, IReadOnlyList<int> Partitions, IReadOnlyList<ExposureView> Top, IReadOnlyList<CurrencyExposureView> Currencies)
    : IInstancePart;

/// <summary><c>GET /exposures</c>: the book's largest positions by absolute market value and its exposure per currency.</summary>
public sealed record ExposuresView(IReadOnlyList<ExposureView> Top, IReadOnlyList<CurrencyExposureView> Currencies, bool Complete,
    IReadOnlyList<string> UnreachableInstances);
