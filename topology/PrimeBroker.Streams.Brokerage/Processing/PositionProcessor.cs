using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Rule 6, positions by average cost, as if cancelled and amended versions of a trade never existed: the position of
/// (account, instrument) is the one computed from its live trades in sequence order (<see cref="PositionArithmetic"/>).
/// A create appends to the position's history and applies to its exact <see cref="CostBasis"/> (one read, one or two
/// writes). An amend replaces the trade's terms at its place in history and a cancel removes it; both recompute the
/// position from its base over the history (cost per event: one range read of at most
/// <see cref="BrokerageOptions.MaxRestatableTradesPerPosition"/> entries). A position keeps that many trades restatable;
/// a create beyond it folds the oldest into the base, and an amend or cancel of a folded trade is dead-lettered
/// <see cref="DeadLetterReason.RestatementBeyondHistory"/>.
/// <para>Runs before booking, so that what a position cannot take is dead-lettered before anything is written: a trade
/// in another currency than an open position (<see cref="DeadLetterReason.PositionCurrencyMismatch"/>; a flat position
/// restarts in the new currency, its earlier trades folded), or a result that does not fit decimal(28,8)
/// (<see cref="DeadLetterReason.PositionOutOfRange"/>). Emits <c>PositionUpdated</c> and passes the event on with the
/// change of the reported realized P&amp;L (the ledger posts it).</para>
/// </summary>
internal sealed class PositionProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    private IKeyValueStore<string, PositionEntry> _positions = null!;
    private IKeyValueStore<string, PositionTrade> _history = null!;
    private IKeyValueStore<string, TradeState> _trades = null!;

    public static string[] StoreNames => [BrokerageStores.Positions, BrokerageStores.PositionTrades, BrokerageStores.Trades, BrokerageStores.Counters];

    public override void Init(IProcessorContext<string, Flow> context)
    {
        base.Init(context);
        _positions = context.GetStateStore<string, PositionEntry>(BrokerageStores.Positions);
        _history = context.GetStateStore<string, PositionTrade>(BrokerageStores.PositionTrades);
        _trades = context.GetStateStore<string, TradeState>(BrokerageStores.Trades);
    }

    protected override bool Handle(Record<string, Flow> record)
    {
        if (record.Value is not EventFlow { Event: var e })
        {
            return false;
        }

        Change change;
        try
        {
            change = e.Kind == TradeEventKind.Created ? Create(e) : Restate(e);
        }
        catch (OverflowException overflow)
        {
            change = Change.Refused(DeadLetterReason.PositionOutOfRange, $"The position's arithmetic overflows: {overflow.Message}");
        }

        if (change.Refusal is { } refusal)
        {
            DeadLetter(e.Source, e.AccountId, refusal.Reason, $"{e}: {refusal.Message}");
            return true;
        }

        Position before = change.Before;
        Position after;
        try
        {
            after = PositionArithmetic.Report(before with { LastTradeId = e.TradeId, LastSequenceNumber = e.SequenceNumber, UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp) }, change.Basis);
        }
        catch (BrokerageInvariantException outOfRange)
        {
            DeadLetter(e.Source, e.AccountId, DeadLetterReason.PositionOutOfRange, $"{e}: {outOfRange.Message}");
            return true;
        }

        decimal realizedBefore = change.RestartsInNewCurrency ? 0m : before.RealizedPnl;
        decimal pnlChange = after.RealizedPnl - realizedBefore;
        if (!MoneyMath.FitsContract(pnlChange))
        {
            DeadLetter(e.Source, e.AccountId, DeadLetterReason.PositionOutOfRange, $"{e}: the realized P&L changes by {pnlChange}, beyond decimal(28,8).");
            return true;
        }

        foreach (string key in change.Removed)
        {
            _history.Delete(key);
        }

        foreach (var (key, trade) in change.Written)
        {
            _history.Put(key, trade);
        }

        var entry = new PositionEntry(after, after.Quantity - (change.RestartsInNewCurrency ? 0m : before.Quantity), change.Price)
        {
            Basis = change.Basis,
            Base = change.Base,
            FoldedThrough = change.FoldedThrough,
            HistoryCount = change.HistoryCount,
        };
        _positions.Put(StoreKeys.Position(e.AccountId, after.InstrumentId), entry);
        Forward(e.AccountId, new PositionFlow(ToPositionUpdated(entry)), record.Timestamp);
        Forward(e.AccountId, new PositionedFlow(e, pnlChange), record.Timestamp);
        return true;
    }

    private Change Create(TradeEvent e)
    {
        string instrument = e.InstrumentId!;
        string positionKey = StoreKeys.Position(e.AccountId, instrument);
        PositionEntry? entry = _positions.TryGet(positionKey, out PositionEntry? found) ? found : null;
        Position before = entry?.Position ?? new Position { AccountId = e.AccountId, InstrumentId = instrument, Currency = e.Currency! };
        CostBasis basis = entry?.Basis ?? CostBasis.Flat;
        CostBasis baseState = entry?.Base ?? CostBasis.Flat;
        long foldedThrough = entry?.FoldedThrough ?? 0;
        int count = entry?.HistoryCount ?? 0;
        var removed = new List<string>();
        bool restart = false;
        if (entry is not null && before.Currency != e.Currency)
        {
            if (basis.Quantity != 0)
            {
                return Change.Refused(DeadLetterReason.PositionCurrencyMismatch,
                    $"The open position in {instrument} is held in {before.Currency}; the trade is in {e.Currency} (the instrument's currency changed while the position was open).");
            }

            // A flat position restarts in the new currency: its history, in the old one, can no longer be restated.
            removed.AddRange(_history.Range(StoreKeys.PositionTradesPrefix(e.AccountId, instrument), StoreKeys.PositionTradesPrefixEnd(e.AccountId, instrument)).Select(h => h.Key));
            before = before with { Currency = e.Currency!, RealizedPnl = 0m, AverageCost = 0m, Quantity = 0m };
            basis = baseState = CostBasis.Flat;
            foldedThrough = e.SequenceNumber - 1;
            count = 0;
            restart = true;
        }

        var trade = new PositionTrade(e.TradeId, e.SequenceNumber, e.Side!.Value, e.Quantity, e.Price, MoneyMath.Notional(e.Quantity, e.Price));
        var written = new List<(string, PositionTrade)> { (StoreKeys.PositionTrade(e.AccountId, instrument, e.SequenceNumber), trade) };
        count++;
        if (count > Env.Options.MaxRestatableTradesPerPosition)
        {
            // Fold the oldest live trade into the base: the bound on how far back an amend or cancel may reach.
            // (A restart leaves one trade in history, and the bound is at least 1, so this reads the stored history.)
            var (oldestKey, oldest) = _history.Range(StoreKeys.PositionTradesPrefix(e.AccountId, instrument), StoreKeys.PositionTradesPrefixEnd(e.AccountId, instrument)).First();
            baseState = PositionArithmetic.Apply(baseState, oldest.SignedQuantity, oldest.Notional);
            foldedThrough = oldest.Sequence;
            removed.Add(oldestKey);
            count--;
        }

        return new Change(before, PositionArithmetic.Apply(basis, trade.SignedQuantity, trade.Notional), baseState, foldedThrough, count, e.Price, removed, written, restart);
    }

    private Change Restate(TradeEvent e)
    {
        // Validation guaranteed an open trade of this account and booking has not run yet: its absence is corruption.
        if (!_trades.TryGet(e.TradeId, out TradeState? trade) || trade!.AccountId != e.AccountId || trade.Cancelled)
        {
            throw Critical(e.AccountId, new BrokerageInvariantException($"{e} passed validation but trade {e.TradeId} is not an open trade of the account."));
        }

        string positionKey = StoreKeys.Position(e.AccountId, trade.InstrumentId);
        if (!_positions.TryGet(positionKey, out PositionEntry? entry))
        {
            throw Critical(e.AccountId, new BrokerageInvariantException($"{e}: trade {e.TradeId} is booked but position ({e.AccountId}, {trade.InstrumentId}) does not exist."));
        }

        string tradeKey = StoreKeys.PositionTrade(e.AccountId, trade.InstrumentId, trade.BookedSequence);
        var history = _history.Range(StoreKeys.PositionTradesPrefix(e.AccountId, trade.InstrumentId), StoreKeys.PositionTradesPrefixEnd(e.AccountId, trade.InstrumentId)).ToList();
        int index = history.FindIndex(h => h.Key == tradeKey);
        if (index < 0)
        {
            return Change.Refused(DeadLetterReason.RestatementBeyondHistory,
                $"Trade {e.TradeId} (sequence {trade.BookedSequence}) is no longer in the position's history: it keeps the last {Env.Options.MaxRestatableTradesPerPosition} trades (MaxRestatableTradesPerPosition), or the position restarted in another currency.");
        }

        var removed = new List<string>();
        var written = new List<(string, PositionTrade)>();
        var live = history.Select(h => h.Value).ToList();
        decimal price;
        if (e.Kind == TradeEventKind.Cancelled)
        {
            live.RemoveAt(index);
            removed.Add(tradeKey);
            price = trade.Price;
        }
        else
        {
            PositionTrade amended = live[index] with { Quantity = e.Quantity, Price = e.Price, Notional = MoneyMath.Notional(e.Quantity, e.Price) };
            live[index] = amended;
            written.Add((tradeKey, amended));
            price = e.Price;
        }

        CostBasis basis = PositionArithmetic.Replay(entry!.Base, live);
        return new Change(entry.Position, basis, entry.Base, entry.FoldedThrough, live.Count, price, removed, written, false);
    }

    private static PositionUpdated ToPositionUpdated(PositionEntry entry) => new()
    {
        accountId = entry.Position.AccountId,
        instrumentId = entry.Position.InstrumentId,
        change = new Contracts.PositionChange { quantityDelta = Money.ToAvro(entry.LastQuantityDelta), price = Money.ToAvro(entry.LastPrice) },
        newPosition = new PositionState
        {
            quantity = Money.ToAvro(entry.Position.Quantity),
            averageCost = Money.ToAvro(entry.Position.AverageCost),
            realizedPnl = Money.ToAvro(entry.Position.RealizedPnl),
        },
        timestamp = entry.Position.UpdatedAt.UtcDateTime,
        tradeId = entry.Position.LastTradeId ?? "",
        sequenceNumber = entry.Position.LastSequenceNumber,
    };

    /// <summary>What an event does to a position, computed before anything is written.</summary>
    private sealed record Change(Position Before, CostBasis Basis, CostBasis Base, long FoldedThrough, int HistoryCount, decimal Price,
        IReadOnlyList<string> Removed, IReadOnlyList<(string Key, PositionTrade Trade)> Written, bool RestartsInNewCurrency)
    {
        public (DeadLetterReason Reason, string Message)? Refusal { get; private init; }

        public static Change Refused(DeadLetterReason reason, string message) =>
            new(null!, CostBasis.Flat, CostBasis.Flat, 0, 0, 0, [], [], false) { Refusal = (reason, message) };
    }
}
