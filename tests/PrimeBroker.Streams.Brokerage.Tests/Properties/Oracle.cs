using Avro.Specific;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Properties;

/// <summary>
/// An independent model of the prime broker's books, written from the rules and nothing of the topology. It first
/// decides, replaying each account's events in sequence order, which events are accepted and what each trade's final
/// terms are (a cancelled trade is dropped, an amended one keeps its place with its last terms); then it computes every
/// position from scratch from the live trades in sequence order, by the textbook average-price method in exact rational
/// arithmetic (<see cref="Fraction"/>), rounding only the reported figures and each trade's notional (half-to-even,
/// 8 places: the README's rule, restated here, not called). There is no reversal rule and no decimal rounding step in
/// common with the code under test. Ledger balances follow from the chart of accounts: cash moves by each live trade's
/// notional, securities by the notionals plus the realized P&amp;L moved to the P&amp;L account.
/// </summary>
public sealed class Oracle
{
    private static readonly HashSet<string> s_currencies = ["USD", "EUR", "GBP"];

    private readonly Dictionary<string, string> _instrumentCurrency;
    private readonly Dictionary<string, Trade> _trades = [];
    private readonly Dictionary<(string Account, string Key), string> _appliedKeys = [];
    private readonly Dictionary<(string Account, string Instrument), decimal> _reportedRealized = [];

    private Oracle(IEnumerable<(string Id, string Currency)> instruments) =>
        _instrumentCurrency = instruments.ToDictionary(i => i.Id, i => i.Currency);

    /// <summary>(quantity, average cost, realized P&amp;L) as reported, per position that ever had a booked trade.</summary>
    public Dictionary<(string Account, string Instrument), (decimal Quantity, decimal AverageCost, decimal Realized)> Positions { get; } = [];

    /// <summary>Debit-positive balance per (ledger account, currency).</summary>
    public Dictionary<(string LedgerAccount, string Currency), decimal> Ledger { get; } = [];

    public Dictionary<(string Account, string Currency), decimal> Cash { get; } = [];

    public int Applied { get; private set; }

    public int IdempotencySkipped { get; private set; }

    public int Rejected { get; private set; }

    /// <summary>Events rejected because their idempotency key was applied by an event with other terms (included in
    /// <see cref="Rejected"/>).</summary>
    public int ConflictingKeys { get; private set; }

    public int AmendsApplied { get; private set; }

    public int CancelsApplied { get; private set; }

    /// <summary>Events dead-lettered because their notional rounds to zero.</summary>
    public int ZeroNotionals { get; private set; }

    /// <summary>Trades whose notional was rounded (quantity × price has more than 8 places).</summary>
    public int RoundedNotionals { get; private set; }

    /// <summary>Positions that went from long to short or back in one trade, in the final replay.</summary>
    public int Flips { get; private set; }

    /// <summary>Ledger entries expected: one per booking or reversal, plus one per change of a reported realized P&amp;L.</summary>
    public int Effects { get; private set; }

    /// <summary>Runs the model over the events each account's sequencing lets through, in sequence order.</summary>
    public static Oracle Run(IReadOnlyList<IReadOnlyList<ISpecificRecord>> processed, IEnumerable<(string Id, string Currency)> instruments)
    {
        var oracle = new Oracle(instruments);
        foreach (IReadOnlyList<ISpecificRecord> events in processed)
        {
            foreach (ISpecificRecord e in events)
            {
                oracle.Accept(e);
            }
        }

        oracle.Close();
        return oracle;
    }

    private void Accept(ISpecificRecord e)
    {
        var (account, tradeId, key) = e switch
        {
            TradeCreated c => (c.accountId, c.tradeId, c.idempotencyKey),
            TradeAmended m => (m.accountId, m.tradeId, m.idempotencyKey),
            TradeCancelled x => (x.accountId, x.tradeId, x.idempotencyKey),
            _ => throw new ArgumentException(e.GetType().Name),
        };
        if (string.IsNullOrWhiteSpace(tradeId) || string.IsNullOrWhiteSpace(key))
        {
            Rejected++;
            return;
        }

        if (_appliedKeys.TryGetValue((account, key), out string? applied))
        {
            // A retry repeats the terms; other terms under the same key are a conflict, rejected.
            if (applied == Terms(e))
            {
                IdempotencySkipped++;
            }
            else
            {
                ConflictingKeys++;
                Rejected++;
            }

            return;
        }

        string? instrument = e switch
        {
            TradeCreated c => Create(c),
            TradeAmended m => Amend(m),
            TradeCancelled x => Cancel(x),
            _ => null,
        };
        if (instrument is null)
        {
            Rejected++;
            return;
        }

        Applied++;
        _appliedKeys.Add((account, key), Terms(e));
        Effects += e is TradeAmended ? 2 : 1;
        decimal realized = Replay(account, instrument).Realized.RoundHalfEven();
        if (realized != _reportedRealized.GetValueOrDefault((account, instrument)))
        {
            Effects++;
        }

        _reportedRealized[(account, instrument)] = realized;
    }

    /// <summary>What a retry repeats: the record type, trade, instrument, side, amounts (as values) and currency.</summary>
    private static string Terms(ISpecificRecord e) => e switch
    {
        TradeCreated c => FormattableString.Invariant($"C {c.tradeId} {c.instrumentId} {c.side} {Money.FromAvro(c.quantity) / 1.000000000000m} {Money.FromAvro(c.price) / 1.000000000000m} {c.currency}"),
        TradeAmended m => FormattableString.Invariant($"A {m.tradeId} {Money.FromAvro(m.amendedQuantity) / 1.000000000000m} {Money.FromAvro(m.amendedPrice) / 1.000000000000m}"),
        TradeCancelled x => $"X {x.tradeId}",
        _ => throw new ArgumentException(e.GetType().Name, nameof(e)),
    };

    private string? Create(TradeCreated c)
    {
        decimal q = Money.FromAvro(c.quantity);
        decimal p = Money.FromAvro(c.price);
        if (!AmountsBookable(q, p) || !s_currencies.Contains(c.currency) || !_instrumentCurrency.TryGetValue(c.instrumentId, out string? currency)
            || currency != c.currency || _trades.ContainsKey(c.tradeId))
        {
            return null;
        }

        _trades[c.tradeId] = new Trade(c.accountId, c.instrumentId, c.side == TradeSide.BUY, q, p, c.currency, c.sequenceNumber, Cancelled: false);
        return c.instrumentId;
    }

    private string? Amend(TradeAmended m)
    {
        decimal q = Money.FromAvro(m.amendedQuantity);
        decimal p = Money.FromAvro(m.amendedPrice);
        if (!AmountsBookable(q, p) || !_trades.TryGetValue(m.tradeId, out Trade? t) || t.Account != m.accountId || t.Cancelled)
        {
            return null;
        }

        _trades[m.tradeId] = t with { Quantity = q, Price = p }; // same place in history
        AmendsApplied++;
        return t.Instrument;
    }

    private string? Cancel(TradeCancelled x)
    {
        if (!_trades.TryGetValue(x.tradeId, out Trade? t) || t.Account != x.accountId || t.Cancelled)
        {
            return null;
        }

        _trades[x.tradeId] = t with { Cancelled = true };
        CancelsApplied++;
        return t.Instrument;
    }

    /// <summary>Positive amounts whose notional is a non-zero amount of the contract.</summary>
    private bool AmountsBookable(decimal quantity, decimal price)
    {
        if (quantity <= 0 || price <= 0)
        {
            return false;
        }

        Fraction exact = Fraction.Of(quantity) * Fraction.Of(price);
        if (exact.RoundHalfEven() == 0)
        {
            ZeroNotionals++;
            return false;
        }

        return true;
    }

    private static Fraction Notional(Trade t) => Fraction.Of((Fraction.Of(t.Quantity) * Fraction.Of(t.Price)).RoundHalfEven());

    /// <summary>The position from the live trades of (account, instrument) in sequence order: quantity Q, average price A
    /// of the open quantity, realized R. A trade's effective price is its rounded notional over its quantity.</summary>
    private (Fraction Quantity, Fraction AveragePrice, Fraction Realized, int Flips) Replay(string account, string instrument)
    {
        Fraction q = Fraction.Zero, a = Fraction.Zero, r = Fraction.Zero;
        int flips = 0;
        foreach (Trade t in _trades.Values.Where(t => t.Account == account && t.Instrument == instrument && !t.Cancelled).OrderBy(t => t.Sequence))
        {
            Fraction units = Fraction.Of(t.Quantity);
            Fraction price = Notional(t) / units;
            Fraction signed = t.Buy ? units : -units;
            if (q.Sign == 0 || q.Sign == signed.Sign)
            {
                a = ((a * q.Abs()) + (price * units)) / (q.Abs() + units);
                q += signed;
                continue;
            }

            Fraction closing = units < q.Abs() ? units : q.Abs();
            r += q.Sign > 0 ? closing * (price - a) : closing * (a - price);
            Fraction after = q + signed;
            if (after.Sign == 0)
            {
                a = Fraction.Zero;
            }
            else if (after.Sign != q.Sign)
            {
                a = price;
                flips++;
            }

            q = after;
        }

        return (q, a, r, flips);
    }

    /// <summary>Reported positions and ledger balances from the final live trades.</summary>
    private void Close()
    {
        foreach (var (account, instrument) in _trades.Values.Select(t => (t.Account, t.Instrument)).Distinct())
        {
            var (q, a, r, flips) = Replay(account, instrument);
            Flips += flips;
            decimal realized = r.RoundHalfEven();
            Positions[(account, instrument)] = (q.RoundHalfEven(), a.RoundHalfEven(), realized);
            string currency = _instrumentCurrency[instrument];
            decimal securities = 0m;
            foreach (Trade t in _trades.Values.Where(t => t.Account == account && t.Instrument == instrument && !t.Cancelled))
            {
                decimal notional = Notional(t).RoundHalfEven();
                RoundedNotionals += Fraction.Of(notional) != Fraction.Of(t.Quantity) * Fraction.Of(t.Price) ? 1 : 0;
                securities += t.Buy ? notional : -notional;
                Cash[(account, currency)] = Cash.GetValueOrDefault((account, currency)) + (t.Buy ? -notional : notional);
            }

            Add($"{account}:SEC:{instrument}", currency, securities + realized);
            Add($"{account}:PNL:{instrument}", currency, -realized);
            Add($"{account}:CASH:{currency}", currency, -securities);
        }
    }

    private void Add(string ledgerAccount, string currency, decimal amount) =>
        Ledger[(ledgerAccount, currency)] = Ledger.GetValueOrDefault((ledgerAccount, currency)) + amount;

    private sealed record Trade(string Account, string Instrument, bool Buy, decimal Quantity, decimal Price, string Currency, long Sequence, bool Cancelled);
}
