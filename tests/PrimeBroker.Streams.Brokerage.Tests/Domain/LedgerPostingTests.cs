using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Domain;

public sealed class LedgerPostingTests
{
    private static readonly TradeState s_trade = new()
    {
        TradeId = "T-1",
        AccountId = "ACC-1",
        InstrumentId = "AAPL",
        Side = TradeSide.BUY,
        Quantity = 3m,
        Price = 1.25m,
        Currency = "USD",
        SettlementDate = new DateOnly(2026, 1, 7),
        BookedSequence = 1,
        LastSequence = 1,
    };

    [Fact]
    public void ABookingAndItsReversalAreMirrorImages()
    {
        LedgerEntryCreated booked = LedgerPosting.Post(s_trade, TradeEffect.Booking("b", TradeSide.BUY, 3m, 1.25m), 1, 0);
        LedgerEntryCreated reversed = LedgerPosting.Post(s_trade, TradeEffect.Reversal("r", TradeSide.BUY, 3m, 1.25m), 2, 0);

        Assert.Equal(booked.debitEntry.account, reversed.creditEntry.account);
        Assert.Equal(booked.creditEntry.account, reversed.debitEntry.account);
        Assert.Equal(3.75m, Money.FromAvro(booked.debitEntry.amount));
    }

    [Fact]
    public void AnEntryThatDoesNotBalanceIsRefused()
    {
        LedgerEntryCreated entry = LedgerPosting.Post(s_trade, TradeEffect.Booking("b", TradeSide.BUY, 3m, 1.25m), 1, 0);
        entry.creditEntry = new LedgerLeg { account = entry.creditEntry.account, amount = Money.ToAvro(3.74m), currency = "USD" };

        Assert.Throws<BrokerageInvariantException>(() => LedgerPosting.CheckBalanced(entry));
    }

    [Fact]
    public void AnEntryAcrossCurrenciesIsRefused()
    {
        LedgerEntryCreated entry = LedgerPosting.Post(s_trade, TradeEffect.Booking("b", TradeSide.BUY, 3m, 1.25m), 1, 0);
        entry.creditEntry.currency = "EUR";

        Assert.Throws<BrokerageInvariantException>(() => LedgerPosting.CheckBalanced(entry));
    }
}
