using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Rule 8: a created trade emits <c>SettlementStatusChanged</c> PENDING for T+N business days (the settlement calendar);
/// an amend re-emits the pending instruction with the new amount and quantity; a cancel emits CANCELLED. The settlement
/// id is <c>{tradeId}:settlement</c>, one instruction per trade.
/// </summary>
internal sealed class SettlementProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    public static string[] StoreNames => [BrokerageStores.Counters];

    protected override bool Handle(Record<string, Flow> record)
    {
        if (record.Value is not BookedFlow booked)
        {
            return false;
        }

        TradeState trade = booked.Trade;
        var status = new SettlementStatusChanged
        {
            settlementId = $"{trade.TradeId}:settlement",
            tradeId = trade.TradeId,
            accountId = trade.AccountId,
            status = booked.Event.Kind == TradeEventKind.Cancelled ? SettlementStatus.CANCELLED : SettlementStatus.PENDING,
            settlementDate = trade.SettlementDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            amount = Money.ToAvro(Domain.MoneyMath.Notional(trade.Quantity, trade.Price)),
            currency = trade.Currency,
            timestamp = DateTimeOffset.FromUnixTimeMilliseconds(booked.Event.Timestamp).UtcDateTime,
            quantity = Money.ToAvro(trade.Quantity),
            instrumentId = trade.InstrumentId,
            side = trade.Side.ToString(),
        };
        Forward(trade.AccountId, new SettlementFlow(status), record.Timestamp);
        return true; // the last step of a booked event: nothing after settlement reads it

    }
}
