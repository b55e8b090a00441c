using System.Globalization;
using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Books a valid event, whose position change <see cref="PositionProcessor"/> has written, into the trades store and
/// says what it does to cash and securities (rules 7 and 8 read that): a create books the trade; a cancel reverses it
/// at its original quantity and price and marks it cancelled; an amend reverses the old terms and books the new ones
/// and re-instructs the settlement (PENDING, re-dated when its date is before the amend's trade date). Records the idempotency key as applied (rule 4) and counts the event. A wall-clock
/// punctuator forgets trades whose settlement date is more than <see cref="BrokerageOptions.TradeRetentionAfterSettlement"/>
/// before the wall clock's date (a range scan of the settlement-date index, at most
/// <see cref="BrokerageOptions.MaxTradeExpiriesPerRun"/> per run), so the trades store stays bounded.
/// </summary>
internal sealed class BookingProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    private IKeyValueStore<string, TradeState> _trades = null!;
    private IKeyValueStore<string, string> _tradesBySettlement = null!;
    private SettlementLadderAggregate _ladder = null!;
    private IdempotencyLog _idempotency = null!;

    public static string[] StoreNames => [BrokerageStores.Trades, BrokerageStores.TradesBySettlement, BrokerageStores.SettlementLadder, .. IdempotencyLog.StoreNames, BrokerageStores.Counters];

    public override void Init(IProcessorContext<string, Flow> context)
    {
        base.Init(context);
        _trades = context.GetStateStore<string, TradeState>(BrokerageStores.Trades);
        _tradesBySettlement = context.GetStateStore<string, string>(BrokerageStores.TradesBySettlement);
        _ladder = new SettlementLadderAggregate(context.GetStateStore<string, SettlementLadderEntry>(BrokerageStores.SettlementLadder));
        context.Schedule(Env.Options.TradeExpiryInterval, PunctuationType.WallClockTime, _ => ExpireTrades());
        _idempotency = new IdempotencyLog(
            context.GetStateStore<string, IdempotencyEntry>(BrokerageStores.Idempotency),
            context.GetStateStore<string, string>(BrokerageStores.IdempotencyByTime),
            Env.Options.IdempotencyWindow);
    }

    protected override bool Handle(Record<string, Flow> record)
    {
        if (record.Value is not PositionedFlow { Event: var e } positioned)
        {
            return false;
        }

        (TradeState trade, TradeEffect[] effects) = e.Kind switch
        {
            TradeEventKind.Created => Create(e),
            TradeEventKind.Amended => Amend(e),
            TradeEventKind.Cancelled => Cancel(e),
            _ => throw new ArgumentOutOfRangeException(nameof(record), e.Kind, "Unknown trade event kind."),
        };
        // The stored terms before this event: an amend's re-dating moves the trade's expiry index entry.
        TradeState? before = e.Kind == TradeEventKind.Created ? null : Existing(e);
        _trades.Put(trade.TradeId, trade);
        // The ladder follows every write of the trades store: the old terms out, the new in (a re-dating moves rungs).
        _ladder.Replace(before, trade);
        if (before is null || before.SettlementDate != trade.SettlementDate)
        {
            // The expiry index follows the settlement date (an amend may re-instruct it).
            if (before is not null)
            {
                _tradesBySettlement.Delete(StoreKeys.TradeBySettlement(before.SettlementDate, trade.TradeId));
            }

            _tradesBySettlement.Put(StoreKeys.TradeBySettlement(trade.SettlementDate, trade.TradeId), trade.TradeId);
        }

        _idempotency.Record(e);
        // Rule 4's expiry, per account: only this account's own event time ages its keys.
        _idempotency.ExpireBefore(e.AccountId, e.Timestamp - (long)Env.Options.IdempotencyWindow.TotalMilliseconds, Env.Options.MaxIdempotencyExpiriesPerRun);
        Counters.Increment(CounterStore.Applied);
        Env.Metrics.Applied();
        string step = e.Kind switch
        {
            TradeEventKind.Created => $"{e.TradeId}:booked",
            TradeEventKind.Amended => $"{e.TradeId}:amended-{e.SequenceNumber.ToString(CultureInfo.InvariantCulture)}",
            _ => $"{e.TradeId}:cancelled-{e.SequenceNumber.ToString(CultureInfo.InvariantCulture)}",
        };
        Forward(e.AccountId, new BookedFlow(e, trade, effects, positioned.RealizedPnlChange, $"{step}:realized-pnl"), record.Timestamp);
        return true;
    }

    private (TradeState, TradeEffect[]) Create(TradeEvent e)
    {
        var trade = new TradeState
        {
            TradeId = e.TradeId,
            AccountId = e.AccountId,
            InstrumentId = e.InstrumentId!,
            Side = e.Side!.Value,
            Quantity = e.Quantity,
            Price = e.Price,
            Currency = e.Currency!,
            SettlementDate = Env.Calendar.SettlementDate(TradeDate(e), Env.Options.SettlementLagBusinessDays),
            BookedSequence = e.SequenceNumber,
            LastSequence = e.SequenceNumber,
        };
        return (trade, [TradeEffect.Booking($"{e.TradeId}:booked", trade.Side, trade.Quantity, trade.Price)]);
    }

    private (TradeState, TradeEffect[]) Amend(TradeEvent e)
    {
        TradeState old = Existing(e);
        string step = $"{e.TradeId}:amended-{e.SequenceNumber.ToString(CultureInfo.InvariantCulture)}";
        // An amend re-instructs the settlement (rule 8): back to PENDING (a FAILED one too), on its date while that is
        // still ahead of the amend's trade date, otherwise on a new date T+N from the amend's trade date, never in the past.
        DateOnly amendDate = TradeDate(e);
        DateOnly settlementDate = old.SettlementDate >= amendDate ? old.SettlementDate : Env.Calendar.SettlementDate(amendDate, Env.Options.SettlementLagBusinessDays);
        var amended = old with { Quantity = e.Quantity, Price = e.Price, LastSequence = e.SequenceNumber, SettlementDate = settlementDate, Outcome = null };
        return (amended,
        [
            TradeEffect.Reversal($"{step}:reversal", old.Side, old.Quantity, old.Price),
            TradeEffect.Booking($"{step}:booked", old.Side, e.Quantity, e.Price),
        ]);
    }

    private (TradeState, TradeEffect[]) Cancel(TradeEvent e)
    {
        TradeState old = Existing(e);
        string step = $"{e.TradeId}:cancelled-{e.SequenceNumber.ToString(CultureInfo.InvariantCulture)}";
        return (old with { Cancelled = true, LastSequence = e.SequenceNumber },
            [TradeEffect.Reversal($"{step}:reversal", old.Side, old.Quantity, old.Price)]);
    }

    private static DateOnly TradeDate(TradeEvent e) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp).UtcDateTime);

    /// <summary>Forgets trades past their retention by the wall clock (no producer's event time moves it); returns how many.</summary>
    internal int ExpireTrades()
    {
        DateOnly today = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(Context.CurrentSystemTimeMs).UtcDateTime);
        DateOnly horizon = today.AddDays(-(int)Math.Ceiling(Env.Options.TradeRetentionAfterSettlement.TotalDays));
        var expired = _tradesBySettlement.Range(null, StoreKeys.TradeBySettlementBefore(horizon)).Take(Env.Options.MaxTradeExpiriesPerRun).ToList();
        foreach (var (indexKey, tradeId) in expired)
        {
            _tradesBySettlement.Delete(indexKey);
            // A forgotten trade leaves the ladder too, so the ladder always sums the trades the store still holds.
            _ladder.Replace(_trades.Get(tradeId), null);
            _trades.Delete(tradeId);
        }

        return expired.Count;
    }

    /// <summary>Validation guaranteed the trade; its absence here is a broken invariant, not bad input.</summary>
    private TradeState Existing(TradeEvent e) =>
        _trades.TryGet(e.TradeId, out TradeState? trade) && trade!.AccountId == e.AccountId && !trade.Cancelled
            ? trade
            : throw Critical(e.AccountId, new BrokerageInvariantException($"{e} passed validation but trade {e.TradeId} is not an open trade of the account."));
}
