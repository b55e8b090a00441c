using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>The stored totals of one (value date, currency) in <see cref="BrokerageStores.SettlementLadder"/>: the
/// trades of that rung by settlement status and the cash their open settlements pay and receive.</summary>
internal sealed record SettlementLadderEntry
{
    public long Pending { get; init; }

    public long Failed { get; init; }

    public long Settled { get; init; }

    public decimal Pay { get; init; }

    public decimal Receive { get; init; }

    /// <summary>True when no trade contributes to the rung any more: the row is deleted rather than kept as zeros.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => Pending == 0 && Failed == 0 && Settled == 0 && Pay == 0 && Receive == 0;

    public SettlementLadderEntry Plus(SettlementLadderEntry other, int sign) => new()
    {
        Pending = Pending + (sign * other.Pending),
        Failed = Failed + (sign * other.Failed),
        Settled = Settled + (sign * other.Settled),
        Pay = Pay + (sign * other.Pay),
        Receive = Receive + (sign * other.Receive),
    };

    public SettlementLadderRow ToRow(DateOnly valueDate, string currency) =>
        new(valueDate, currency, checked((int)Pending), checked((int)Failed), checked((int)Settled), Pay, Receive);
}

/// <summary>
/// What one stored trade adds to the settlement ladder, and on which rung: a cancelled trade adds nothing; a PENDING or
/// FAILED one counts under its status and pays (a buy) or receives (a sell) its notional
/// (<see cref="MoneyMath.Notional"/>); a SETTLED one only counts.
/// </summary>
internal readonly record struct SettlementLadderContribution(DateOnly ValueDate, string Currency, SettlementLadderEntry Amounts)
{
    /// <summary>The contribution of <paramref name="trade"/>, or null when it contributes nothing (absent or cancelled).</summary>
    public static SettlementLadderContribution? Of(TradeState? trade)
    {
        if (trade is null || trade.Status == SettlementStatus.CANCELLED)
        {
            return null;
        }

        SettlementStatus status = trade.Status;
        bool open = status != SettlementStatus.SETTLED;
        decimal amount = open ? MoneyMath.Notional(trade.Quantity, trade.Price) : 0;
        return new(trade.SettlementDate, trade.Currency, new SettlementLadderEntry
        {
            Pending = status == SettlementStatus.PENDING ? 1 : 0,
            Failed = status == SettlementStatus.FAILED ? 1 : 0,
            Settled = open ? 0 : 1,
            Pay = trade.Side == TradeSide.BUY ? amount : 0,
            Receive = trade.Side == TradeSide.SELL ? amount : 0,
        });
    }
}

/// <summary>
/// Keeps <see cref="BrokerageStores.SettlementLadder"/>: (value date, currency) → the sum of the contributions
/// (<see cref="SettlementLadderContribution"/>) of the trades stored in <see cref="BrokerageStores.Trades"/>, so that a
/// ladder query is one range scan of a few rows instead of a read of every trade. Every writer of the trades store calls
/// <see cref="Replace"/> with the stored trade before and after its write; a rung that reaches all zeros is deleted, so
/// the store always equals what a scan of the trades would sum.
/// </summary>
internal sealed class SettlementLadderAggregate(IKeyValueStore<string, SettlementLadderEntry> store)
{
    /// <summary>Takes <paramref name="before"/>'s contribution out and puts <paramref name="after"/>'s in (either null: a
    /// trade booked or forgotten). At most two rungs are written; none when the contribution did not change.</summary>
    public void Replace(TradeState? before, TradeState? after)
    {
        SettlementLadderContribution? old = SettlementLadderContribution.Of(before);
        SettlementLadderContribution? next = SettlementLadderContribution.Of(after);
        if (old == next)
        {
            return;
        }

        if (old is { } o && next is { } n && o.ValueDate == n.ValueDate && o.Currency == n.Currency)
        {
            Apply(o.ValueDate, o.Currency, n.Amounts.Plus(o.Amounts, -1), 1);
            return;
        }

        if (old is { } removed)
        {
            Apply(removed.ValueDate, removed.Currency, removed.Amounts, -1);
        }

        if (next is { } added)
        {
            Apply(added.ValueDate, added.Currency, added.Amounts, 1);
        }
    }

    private void Apply(DateOnly valueDate, string currency, SettlementLadderEntry change, int sign)
    {
        string key = StoreKeys.SettlementLadder(valueDate, currency);
        SettlementLadderEntry current = store.TryGet(key, out SettlementLadderEntry? stored) && stored is not null ? stored : new SettlementLadderEntry();
        SettlementLadderEntry updated = current.Plus(change, sign);
        if (updated.IsEmpty)
        {
            store.Delete(key);
        }
        else
        {
            store.Put(key, updated);
        }
    }
}
