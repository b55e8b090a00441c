using Avro.Specific;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Properties;

/// <summary>
/// An independent model of the prime broker, written from the rules and nothing of the topology: a plain loop over each
/// account's events in sequence order. Rounding follows the one rule of the README (half-to-even, 8 places, wherever
/// an amount is computed), restated here rather than called.
/// </summary>
public sealed class Oracle
{
    private static readonly HashSet<string> s_currencies = ["USD", "EUR", "GBP"];

    private readonly Dictionary<string, string> _instrumentCurrency;
    private readonly Dictionary<string, (string Account, string Instrument, bool Buy, decimal Quantity, decimal Price, string Currency, bool Cancelled)> _trades = [];
    private readonly HashSet<(string Account, string Key)> _appliedKeys = [];

    private Oracle(IEnumerable<(string Id, string Currency)> instruments) =>
        _instrumentCurrency = instruments.ToDictionary(i => i.Id, i => i.Currency);

    public Dictionary<(string Account, string Instrument), (decimal Quantity, decimal AverageCost, decimal Realized)> Positions { get; } = [];

    public Dictionary<(string Account, string Currency), decimal> Cash { get; } = [];

    public int Applied { get; private set; }

    public int IdempotencySkipped { get; private set; }

    public int Rejected { get; private set; }

    public int AmendsApplied { get; private set; }

    public int CancelsApplied { get; private set; }

    /// <summary>Positions that went from long to short or back in one move.</summary>
    public int Flips { get; private set; }

    /// <summary>Ledger entries expected: one per booking or reversal.</summary>
    public int Effects { get; private set; }

    public static Oracle Run(IReadOnlyList<IReadOnlyList<ISpecificRecord>> accounts, IEnumerable<(string Id, string Currency)> instruments)
    {
        var oracle = new Oracle(instruments);
        foreach (IReadOnlyList<ISpecificRecord> events in accounts)
        {
            foreach (ISpecificRecord e in events)
            {
                oracle.Accept(e);
            }
        }

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

        if (_appliedKeys.Contains((account, key)))
        {
            IdempotencySkipped++;
            return;
        }

        bool applied = e switch
        {
            TradeCreated c => Create(c),
            TradeAmended m => Amend(m),
            TradeCancelled x => Cancel(x),
            _ => false,
        };
        if (applied)
        {
            Applied++;
            _appliedKeys.Add((account, key));
        }
        else
        {
            Rejected++;
        }
    }

    private bool Create(TradeCreated c)
    {
        decimal q = Money.FromAvro(c.quantity);
        decimal p = Money.FromAvro(c.price);
        if (q <= 0 || p <= 0 || !s_currencies.Contains(c.currency) || !_instrumentCurrency.TryGetValue(c.instrumentId, out string? currency)
            || currency != c.currency || _trades.ContainsKey(c.tradeId))
        {
            return false;
        }

        bool buy = c.side == TradeSide.BUY;
        _trades[c.tradeId] = (c.accountId, c.instrumentId, buy, q, p, c.currency, false);
        Move(c.accountId, c.instrumentId, c.currency, buy, q, p);
        return true;
    }

    private bool Amend(TradeAmended m)
    {
        decimal q = Money.FromAvro(m.amendedQuantity);
        decimal p = Money.FromAvro(m.amendedPrice);
        if (q <= 0 || p <= 0 || !_trades.TryGetValue(m.tradeId, out var t) || t.Account != m.accountId || t.Cancelled)
        {
            return false;
        }

        Move(t.Account, t.Instrument, t.Currency, !t.Buy, t.Quantity, t.Price);
        Move(t.Account, t.Instrument, t.Currency, t.Buy, q, p);
        _trades[m.tradeId] = t with { Quantity = q, Price = p };
        AmendsApplied++;
        return true;
    }

    private bool Cancel(TradeCancelled x)
    {
        if (!_trades.TryGetValue(x.tradeId, out var t) || t.Account != x.accountId || t.Cancelled)
        {
            return false;
        }

        Move(t.Account, t.Instrument, t.Currency, !t.Buy, t.Quantity, t.Price);
        _trades[x.tradeId] = t with { Cancelled = true };
        CancelsApplied++;
        return true;
    }

    /// <summary>Buys (or sells) <paramref name="units"/> at <paramref name="price"/>: position by average cost, cash, one ledger entry.</summary>
    private void Move(string account, string instrument, string currency, bool buy, decimal units, decimal price)
    {
        Effects++;
        decimal notional = R(units * price);
        Cash[(account, currency)] = Cash.GetValueOrDefault((account, currency)) + (buy ? -notional : notional);

        var (qty, avg, realized) = Positions.GetValueOrDefault((account, instrument));
        decimal signed = buy ? units : -units;
        bool opening = qty == 0 || qty > 0 == buy;
        if (opening)
        {
            decimal cost = R(Math.Abs(qty) * avg) + R(units * price);
            qty += signed;
            avg = R(cost / Math.Abs(qty));
        }
        else
        {
            decimal closing = Math.Min(units, Math.Abs(qty));
            decimal pnl = R(closing * (price - avg));
            realized += qty > 0 ? pnl : -pnl;
            decimal after = qty + signed;
            avg = after == 0 ? 0 : (after > 0) != (qty > 0) ? price : avg;
            Flips += after != 0 && (after > 0) != (qty > 0) ? 1 : 0;
            qty = after;
        }

        Positions[(account, instrument)] = (qty, avg, realized);
    }

    private static decimal R(decimal value) => Math.Round(value, 8, MidpointRounding.ToEven);
}
