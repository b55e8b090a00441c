using PrimeBroker.Streams.Brokerage.Domain;

namespace PrimeBroker.Streams.Brokerage.Tests.Domain;

/// <summary>The average-cost method as a pure function, without Kafka.</summary>
public sealed class PositionArithmeticTests
{
    private static PositionDelta Delta(decimal quantity, decimal price, string currency = "USD") =>
        new("A", "I", currency, quantity, price, "T", 1, 0);

    private static Position Apply(params (decimal Quantity, decimal Price)[] changes) =>
        changes.Aggregate(PositionArithmetic.Flat("A", "I", "USD"), (p, c) => PositionArithmetic.Apply(p, Delta(c.Quantity, c.Price)));

    [Fact]
    public void AverageCostIsRoundedHalfToEvenToEightPlaces()
    {
        // (1 × 1 + 2 × 2) / 3 = 1.666… → 1.66666667
        Assert.Equal(1.66666667m, Apply((1m, 1m), (2m, 2m)).AverageCost);
    }

    [Fact]
    public void ShortPositionsAverageLikeLongOnes()
    {
        Position p = Apply((-10m, 10m), (-10m, 20m));
        Assert.Equal(-20m, p.Quantity);
        Assert.Equal(15m, p.AverageCost);
    }

    [Fact]
    public void CoveringAShortBelowItsAverageRealizesAGain()
    {
        Position p = Apply((-10m, 20m), (4m, 15m));
        Assert.Equal(-6m, p.Quantity);
        Assert.Equal(20m, p.AverageCost);
        Assert.Equal(20m, p.RealizedPnl);
    }

    [Fact]
    public void FlipsBothWaysOpenTheRemainderAtTheTradePrice()
    {
        Position p = Apply((10m, 10m), (-25m, 12m), (20m, 11m));
        Assert.Equal(5m, p.Quantity);
        Assert.Equal(11m, p.AverageCost);
        Assert.Equal(20m + 15m, p.RealizedPnl);
    }

    [Fact]
    public void AnOpenPositionRefusesAChangeInAnotherCurrency()
    {
        Position p = Apply((1m, 1m));
        Assert.Throws<BrokerageInvariantException>(() => PositionArithmetic.Apply(p, Delta(1m, 1m, "EUR")));
    }

    [Fact]
    public void AFlatPositionTakesTheCurrencyOfItsNextTrade()
    {
        Position p = PositionArithmetic.Apply(Apply((1m, 1m), (-1m, 1m)), Delta(1m, 1m, "EUR"));
        Assert.Equal("EUR", p.Currency);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(1, -1)]
    public void MalformedChangesAreInvariantViolations(int quantity, int price) =>
        Assert.Throws<BrokerageInvariantException>(() => PositionArithmetic.Apply(PositionArithmetic.Flat("A", "I", "USD"), Delta(quantity, price)));

    [Fact]
    public void QuantityBeyondTheContractRangeIsAnInvariantViolation() =>
        Assert.Throws<BrokerageInvariantException>(() => Apply((90_000_000_000_000_000_000m, 1m), (90_000_000_000_000_000_000m, 1m)));

    [Fact]
    public void DecimalOverflowIsAnInvariantViolationNotAnOverflowException() =>
        Assert.Throws<BrokerageInvariantException>(() => Apply((79_000_000_000_000_000_000_000_000_000m, 1m), (1m, 79_000_000_000_000_000_000_000_000_000m)));

    [Fact]
    public void AChangeForAnotherPositionIsRefused() =>
        Assert.Throws<BrokerageInvariantException>(() => PositionArithmetic.Apply(PositionArithmetic.Flat("B", "I", "USD"), Delta(1m, 1m)));

    [Fact]
    public void StoredPositionsAreCheckedWhenRead()
    {
        var serde = Internal.JsonSerde.For<Internal.PositionEntry>(Internal.PositionEntry.Check);
        var broken = new Internal.PositionEntry(new Position { AccountId = "A", InstrumentId = "I", Currency = "USD", Quantity = 0m, AverageCost = 5m }, 1m, 1m);
        byte[] bytes = serde.Serializer.Serialize(broken, default);

        Assert.Throws<BrokerageInvariantException>(() => serde.Deserializer.Deserialize(bytes, false, default));
    }
}
