using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Rule 6 against history: a cancelled trade never happened and an amended one always had its new terms, at its own
/// place in the account's sequence; the cost basis is not rounded until it is reported, so realized P&amp;L equals cash
/// on a round trip; the ledger's realized-P&amp;L leg leaves a flat position's securities account at zero.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule06HistoryTests(RegistryFixture fixture)
{
    [Fact]
    public void CancellingTheSecondOfTwoBuysLeavesTheFirstAsIfTheSecondNeverHappened()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m),
            Events.Created("ACC-1", 2, "T-2", quantity: 100m, price: 20m),
            Events.Cancelled("ACC-1", 3, "T-2"));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal((100m, 10m, 0m), (p.Quantity, p.AverageCost, p.RealizedPnl));
    }

    [Fact]
    public void CancellingTheBuyBeforeASellLeavesTheSellAsAShortAtItsOwnPrice()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m),
            Events.Created("ACC-1", 2, "T-2", side: TradeSide.SELL, quantity: 150m, price: 12m),
            Events.Cancelled("ACC-1", 3, "T-1"));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal((-150m, 12m, 0m), (p.Quantity, p.AverageCost, p.RealizedPnl));
    }

    [Fact]
    public void AnAmendOfAnOlderTradeTakesEffectAtTheTradesPlaceInHistory()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m),
            Events.Created("ACC-1", 2, "T-2", quantity: 100m, price: 20m),
            Events.Created("ACC-1", 3, "T-3", side: TradeSide.SELL, quantity: 100m, price: 15m),
            Events.Amended("ACC-1", 4, "T-1", quantity: 100m, price: 12m));

        // As if T-1 had always been 100 @ 12: average (1,200 + 2,000) / 200 = 16, the sell at 15 realizes −100.
        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal((100m, 16m, -100m), (p.Quantity, p.AverageCost, p.RealizedPnl));
    }

    [Fact]
    public void RealizedPnlOfARoundTripEqualsTheCashItMoved()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100_000_000m, price: 1m),
            Events.Created("ACC-1", 2, "T-2", quantity: 200_000_000m, price: 2m),
            Events.Created("ACC-1", 3, "T-3", side: TradeSide.SELL, quantity: 300_000_000m, price: 2m));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal(0m, p.Quantity);
        Assert.Equal(100_000_000m, p.RealizedPnl); // cash: −100,000,000 − 400,000,000 + 600,000,000
    }

    [Fact]
    public void TheAverageCostIsReportedRoundedButCarriedExactly()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 1m, price: 1m),
            Events.Created("ACC-1", 2, "T-2", quantity: 2m, price: 2m),
            Events.Created("ACC-1", 3, "T-3", side: TradeSide.SELL, quantity: 1m, price: 2m),
            Events.Created("ACC-1", 4, "T-4", side: TradeSide.SELL, quantity: 2m, price: 2m));

        // Cost 5 for 3 units: average 1.66666667 reported; the round trip realizes exactly 6 − 5.
        Assert.Equal(1m, h.Position("ACC-1", "AAPL").RealizedPnl);
    }

    [Fact]
    public void AFlatPositionLeavesItsSecuritiesLedgerAccountAtZeroAndItsPnlInThePnlAccount()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m),
            Events.Created("ACC-1", 2, "T-2", side: TradeSide.SELL, quantity: 100m, price: 12m));

        var balances = LedgerBalances(h.Ledger.ReadValuesToListOf());
        Assert.Equal(0m, balances.GetValueOrDefault("ACC-1:SEC:AAPL"));
        Assert.Equal(200m, balances.GetValueOrDefault("ACC-1:CASH:USD"));
        Assert.Equal(-200m, balances.GetValueOrDefault("ACC-1:PNL:AAPL"));
        Assert.Equal(200m, h.Position("ACC-1", "AAPL").RealizedPnl);
    }

    [Fact]
    public void ACancelThatRemovesRealizedPnlReversesItInThePnlAccount()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m),
            Events.Created("ACC-1", 2, "T-2", side: TradeSide.SELL, quantity: 100m, price: 12m),
            Events.Cancelled("ACC-1", 3, "T-2"));

        var balances = LedgerBalances(h.Ledger.ReadValuesToListOf());
        Assert.Equal(1000m, balances.GetValueOrDefault("ACC-1:SEC:AAPL"));
        Assert.Equal(-1000m, balances.GetValueOrDefault("ACC-1:CASH:USD"));
        Assert.Equal(0m, balances.GetValueOrDefault("ACC-1:PNL:AAPL"));
    }

    /// <summary>Debit-positive balances per ledger account.</summary>
    internal static Dictionary<string, decimal> LedgerBalances(IEnumerable<LedgerEntryCreated> entries)
    {
        var balances = new Dictionary<string, decimal>();
        foreach (LedgerEntryCreated e in entries)
        {
            balances[e.debitEntry.account] = balances.GetValueOrDefault(e.debitEntry.account) + Money.FromAvro(e.debitEntry.amount);
            balances[e.creditEntry.account] = balances.GetValueOrDefault(e.creditEntry.account) - Money.FromAvro(e.creditEntry.amount);
        }

        return balances;
    }
}
