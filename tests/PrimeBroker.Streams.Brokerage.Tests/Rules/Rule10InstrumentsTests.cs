using PrimeBroker.Streams.Brokerage.Tests.Fixtures;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>Rule 10: instruments come from instrument-events into a global table used for validation and valuation.</summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule10InstrumentsTests(RegistryFixture fixture)
{
    [Fact]
    public void TheInstrumentTableHoldsTheLatestReferenceDataAndPrice()
    {
        using var h = new BrokerageHarness(fixture);
        h.AddInstrument(Events.Instrument("AAPL", "USD", 195.25m, symbol: "AAPL.O"));

        Instrument aapl = h.Queries.InstrumentOf("AAPL")!;
        Assert.Equal(195.25m, aapl.Price);
        Assert.Equal("AAPL.O", aapl.Symbol);
        Assert.Equal("USD", aapl.Currency);
        Assert.Equal("EQUITY", aapl.AssetClass);
        Assert.Null(h.Queries.InstrumentOf("NOPE"));
    }

    [Fact]
    public void ATradeInAnInstrumentAddedLaterIsValidFromThen()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", instrument: "NVDA"));
        h.AddInstrument(Events.Instrument("NVDA", "USD", 900m));
        h.Send(Events.Created("ACC-1", 2, "T-2", instrument: "NVDA"));

        Assert.Equal(nameof(DeadLetterReason.UnknownInstrument), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.Equal(100m, h.Position("ACC-1", "NVDA").Quantity);
    }

    [Fact]
    public void PositionsAreValuedAtTheLatestPriceAtQueryTime()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 180m));
        h.AddInstrument(Events.Instrument("AAPL", "USD", 200.5m));

        Position p = h.Position("ACC-1", "AAPL");
        decimal price = h.Queries.InstrumentOf("AAPL")!.Price;
        Assert.Equal(2005m, p.MarketValue(price));
        Assert.Equal(205m, p.UnrealizedPnl(price));
    }

    [Fact]
    public void AShortPositionGainsWhenThePriceFalls()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", side: Contracts.TradeSide.SELL, quantity: 10m, price: 180m));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal(-1700m, p.MarketValue(170m));
        Assert.Equal(100m, p.UnrealizedPnl(170m));
    }
}
