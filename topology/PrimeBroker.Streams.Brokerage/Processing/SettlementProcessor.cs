using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Rule 8, the settlement lifecycle of a trade (one settlement per trade, id <c>{tradeId}:settlement</c>; the state
/// table is in topology/README.md):
/// <list type="bullet">
/// <item><description>a create instructs it: PENDING for T+N business days (the settlement calendar);</description></item>
/// <item><description>an amend re-instructs it: PENDING with the new amount and quantity (from FAILED too), re-dated by
/// booking when its date is before the amend's trade date;</description></item>
/// <item><description>a cancel: CANCELLED (from PENDING or FAILED; validation refuses amends and cancels of a SETTLED
/// trade with <see cref="DeadLetterReason.TradeAlreadySettled"/>);</description></item>
/// <item><description>a <see cref="ConfirmSettlement"/> from the desk or a custodian feed: PENDING or FAILED → SETTLED
/// (a late settlement from FAILED), PENDING or FAILED → FAILED (a fail report, repeated per failed day). SETTLED and
/// CANCELLED are final: a confirmation of them is <see cref="DeadLetterReason.SettlementTransitionRefused"/>. A repeated
/// command id of the same trade is applied once (counted, nothing emitted).</description></item>
/// </list>
/// </summary>
internal sealed class SettlementProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    private IKeyValueStore<string, TradeState> _trades = null!;

    private SettlementLadderAggregate _ladder = null!;

    public static string[] StoreNames => [BrokerageStores.Trades, BrokerageStores.SettlementLadder, BrokerageStores.Counters];

    public override void Init(IProcessorContext<string, Flow> context)
    {
        base.Init(context);
        _trades = context.GetStateStore<string, TradeState>(BrokerageStores.Trades);
        _ladder = new SettlementLadderAggregate(context.GetStateStore<string, SettlementLadderEntry>(BrokerageStores.SettlementLadder));
    }

    protected override bool Handle(Record<string, Flow> record)
    {
        switch (record.Value)
        {
            case BookedFlow booked:
                // The last step of a booked event: nothing after settlement reads it.
                TradeState trade = booked.Trade;
                Emit(trade, trade.Status, booked.Event.Timestamp, record.Timestamp);
                return true;
            case SettlementCommandFlow { Command: var command }:
                OnConfirmation(command, record.Timestamp);
                return true;
            default:
                return false;
        }
    }

    private void OnConfirmation(SettlementCommand command, long timestamp)
    {
        if (Refusal(command) is { } refusal)
        {
            DeadLetter(command.Source, command.AccountId, refusal.Reason,
                $"Settlement confirmation {command.CommandId} ({command.Outcome} for trade {command.TradeId}, by {command.RequestedBy}): {refusal.Message}");
            return;
        }

        TradeState trade = _trades.Get(command.TradeId)!;
        if (trade.SettlementCommands?.Contains(command.CommandId, StringComparer.Ordinal) == true)
        {
            // A repeat of an applied confirmation (the feed or the desk's tool retried): applied once.
            Counters.Increment(CounterStore.SettlementCommandsRepeated);
            Log.SettlementConfirmationRepeated(Env.Logger, command.AccountId, command.TradeId, command.CommandId);
            return;
        }

        SettlementStatus status = command.Outcome == SettlementOutcome.SETTLED ? SettlementStatus.SETTLED : SettlementStatus.FAILED;
        var next = trade with { Outcome = status, SettlementCommands = [.. trade.SettlementCommands ?? [], command.CommandId] };
        _trades.Put(trade.TradeId, next);
        _ladder.Replace(trade, next);
        Counters.Increment(status == SettlementStatus.SETTLED ? CounterStore.SettlementsSettled : CounterStore.SettlementsFailed);
        Log.SettlementConfirmed(Env.Logger, command.AccountId, command.TradeId, trade.Status, status, command.CommandId, command.RequestedBy);
        Emit(next, status, command.Timestamp, timestamp);
    }

    /// <summary>Checks in <see cref="DeadLetterReason"/> order; null when the confirmation applies (or repeats an applied one).</summary>
    private (DeadLetterReason Reason, string Message)? Refusal(SettlementCommand command)
    {
        if (!DecodeProcessor.IsValidId(command.TradeId))
        {
            return (DeadLetterReason.MissingTradeId, "the command has no trade id.");
        }

        if (!_trades.TryGet(command.TradeId, out TradeState? trade))
        {
            return (DeadLetterReason.UnknownTrade,
                $"trade {command.TradeId} is not booked on this account's partition (never booked, held behind a sequence gap, or forgotten {Env.Options.TradeRetentionAfterSettlement} after its settlement date).");
        }

        if (trade!.AccountId != command.AccountId)
        {
            return (DeadLetterReason.TradeOfAnotherAccount, $"trade {command.TradeId} belongs to account {trade.AccountId}.");
        }

        if (command.Outcome is not (SettlementOutcome.SETTLED or SettlementOutcome.FAILED))
        {
            return (DeadLetterReason.UnknownSettlementOutcome, $"outcome {command.Outcome} is neither SETTLED nor FAILED.");
        }

        if (trade.SettlementCommands?.Contains(command.CommandId, StringComparer.Ordinal) == true)
        {
            return null; // a repeat: ignored, whatever the state is now
        }

        if (trade.Status is SettlementStatus.SETTLED or SettlementStatus.CANCELLED)
        {
            return (DeadLetterReason.SettlementTransitionRefused,
                $"the settlement is already {trade.Status}, a final state: nothing moves it (a settled trade is corrected by new trades).");
        }

        if ((trade.SettlementCommands?.Count ?? 0) >= TradeState.MaxSettlementCommands)
        {
            return (DeadLetterReason.SettlementTransitionRefused,
                $"the trade has taken {TradeState.MaxSettlementCommands} confirmations already, the most one trade remembers.");
        }

        return null;
    }

    private void Emit(TradeState trade, SettlementStatus status, long statusTimeMs, long recordTimestamp)
    {
        var changed = new SettlementStatusChanged
        {
            settlementId = $"{trade.TradeId}:settlement",
            tradeId = trade.TradeId,
            accountId = trade.AccountId,
            status = status,
            settlementDate = trade.SettlementDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            amount = Money.ToAvro(MoneyMath.Notional(trade.Quantity, trade.Price)),
            currency = trade.Currency,
            timestamp = DateTimeOffset.FromUnixTimeMilliseconds(statusTimeMs).UtcDateTime,
            quantity = Money.ToAvro(trade.Quantity),
            instrumentId = trade.InstrumentId,
            side = trade.Side.ToString(),
        };
        Forward(trade.AccountId, new SettlementFlow(changed), recordTimestamp);
    }
}
