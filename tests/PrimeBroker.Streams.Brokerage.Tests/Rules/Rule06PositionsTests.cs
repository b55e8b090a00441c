using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>Rule 6: the positions KTable, average cost, realized P&amp;L, flips, reversals, PositionUpdated events.</summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule06PositionsTests(RegistryFixture fixture)
{
    [Fact]
    public void BuysAddAtAverageCostAndEachChangeEmitsPositionUpdated()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m), Events.Created("ACC-1", 2, "T-2", quantity: 50m, price: 13m));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal(150m, p.Quantity);
        Assert.Equal(11m, p.AverageCost);
        Assert.Equal(0m, p.RealizedPnl);
        Assert.Equal("USD", p.Currency);
        Assert.Equal("T-2", p.LastTradeId);
        Assert.Equal(2, p.LastSequenceNumber);

        var updates = h.Positions.ReadKeyValuesToList();
        Assert.Equal(2, updates.Count);
        Assert.All(updates, u => Assert.Equal("ACC-1", u.Key));
        Assert.Equal(50m, Money.FromAvro(updates[1].Value.change.quantityDelta));
        Assert.Equal(13m, Money.FromAvro(updates[1].Value.change.price));
        Assert.Equal(150m, Money.FromAvro(updates[1].Value.newPosition.quantity));
        Assert.Equal(11m, Money.FromAvro(updates[1].Value.newPosition.averageCost));
        Assert.Equal("T-2", updates[1].Value.tradeId);
        Assert.Equal(2, updates[1].Value.sequenceNumber);
    }

    [Fact]
    public void SellRealizesPnlAgainstAverageCostAndKeepsTheAverage()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m), Events.Created("ACC-1", 2, "T-2", side: TradeSide.SELL, quantity: 40m, price: 12.5m));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal(60m, p.Quantity);
        Assert.Equal(10m, p.AverageCost);
        Assert.Equal(100m, p.RealizedPnl); // 40 × (12.5 − 10)
    }

    [Fact]
    public void SellBeyondTheLongQuantityFlipsToShortAtTheSellPriceAndBuyingBackFlipsToLong()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m),
            Events.Created("ACC-1", 2, "T-2", side: TradeSide.SELL, quantity: 150m, price: 12m));

        Position shortPosition = h.Position("ACC-1", "AAPL");
        Assert.Equal(-50m, shortPosition.Quantity);
        Assert.Equal(12m, shortPosition.AverageCost);
        Assert.Equal(200m, shortPosition.RealizedPnl); // 100 closed × (12 − 10)

        h.Send(Events.Created("ACC-1", 3, "T-3", quantity: 80m, price: 11m));
        Position longAgain = h.Position("ACC-1", "AAPL");
        Assert.Equal(30m, longAgain.Quantity);
        Assert.Equal(11m, longAgain.AverageCost);
        Assert.Equal(250m, longAgain.RealizedPnl); // + 50 short closed × (12 − 11)
    }

    [Fact]
    public void ClosingExactlyLeavesAFlatPositionWithZeroAverageCost()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 10m), Events.Created("ACC-1", 2, "T-2", side: TradeSide.SELL, quantity: 10m, price: 9m));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal(0m, p.Quantity);
        Assert.Equal(0m, p.AverageCost);
        Assert.Equal(-10m, p.RealizedPnl);
    }

    [Fact]
    public void CancelReversesTheTradeAtItsOriginalQuantityAndPrice()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m), Events.Cancelled("ACC-1", 2, "T-1"));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal(0m, p.Quantity);
        Assert.Equal(0m, p.AverageCost);
        Assert.Equal(0m, p.RealizedPnl);
        var updates = h.Positions.ReadValuesToListOf();
        Assert.Equal([100m, -100m], updates.Select(u => Money.FromAvro(u.change.quantityDelta)));
        Assert.All(updates, u => Assert.Equal(10m, Money.FromAvro(u.change.price)));
    }

    [Fact]
    public void AnAmendRestatesThePositionWithTheNewTermsAndEmitsOneUpdate()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m), Events.Amended("ACC-1", 2, "T-1", quantity: 120m, price: 9.5m));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal(120m, p.Quantity);
        Assert.Equal(9.5m, p.AverageCost);
        Assert.Equal(0m, p.RealizedPnl);
        var updates = h.Positions.ReadValuesToListOf();
        Assert.Equal([(100m, 10m), (20m, 9.5m)],
            updates.Select(u => (Money.FromAvro(u.change.quantityDelta), Money.FromAvro(u.change.price))));
    }

    [Fact]
    public void PositionsOfAnAccountAreAPrefixScanOverItsInstrumentsOnly()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-1", 2, "T-2", instrument: "MSFT"),
            Events.Created("ACC-10", 1, "T-3"), Events.Created("ACC-2", 1, "T-4", instrument: "SAP", currency: "EUR"));

        Assert.Equal(["AAPL", "MSFT"], h.Queries.PositionsOf("ACC-1").Select(p => p.InstrumentId));
        Assert.Equal(["AAPL"], h.Queries.PositionsOf("ACC-10").Select(p => p.InstrumentId));
        Assert.Empty(h.Queries.PositionsOf("ACC-3"));
        Assert.Null(h.Queries.PositionOf("ACC-2", "AAPL"));
        Assert.Equal("EUR", h.Position("ACC-2", "SAP").Currency);
    }

    [Fact]
    public void PositionStoreKeysArePlacedByAccountOnEveryPartitionCount()
    {
        // Four partitions: each account's positions must live in the task of the account's trade-events partition.
        using var h = new BrokerageHarness(fixture, driverOptions: new Engine.Testing.TopologyTestDriverOptions { DefaultPartitions = 4 });
        string[] accounts = ["ACC-0001", "ACC-0002", "account-001", "ACC-9"];
        long sequence = 0;
        foreach (string account in accounts)
        {
            h.Send(Events.Created(account, 1, $"T-{++sequence}"), Events.Created(account, 2, $"T-{++sequence}", instrument: "MSFT"));
        }

        foreach (string account in accounts)
        {
            Assert.Equal(2, h.Queries.PositionsOf(account).Count);
        }

        // Java murmur2 vectors with 4 partitions: ACC-0001 → 1, ACC-0002 → 0, account-001 → 3.
        var partitionOf = h.Positions.ReadRecordsToList().GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Select(r => r.Partition).Distinct().Single());
        Assert.Equal(1, partitionOf["ACC-0001"]);
        Assert.Equal(0, partitionOf["ACC-0002"]);
        Assert.Equal(3, partitionOf["account-001"]);
    }
}
