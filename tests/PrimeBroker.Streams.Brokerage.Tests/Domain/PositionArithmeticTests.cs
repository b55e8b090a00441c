using PrimeBroker.Streams.Brokerage.Domain;

namespace PrimeBroker.Streams.Brokerage.Tests.Domain;

/// <summary>The average-cost method on an exact cost basis as pure functions, without Kafka; rounded only when reported.</summary>
public sealed class PositionArithmeticTests
{
    private static readonly Position s_template = new() { AccountId = "A", InstrumentId = "I", Currency = "USD" };

    private static CostBasis Basis(params (decimal Quantity, decimal Price)[] changes) =>
        changes.Aggregate(CostBasis.Flat, (b, c) => PositionArithmetic.Apply(b, c.Quantity, MoneyMath.Notional(Math.Abs(c.Quantity), c.Price)));

    private static Position Apply(params (decimal Quantity, decimal Price)[] changes) => PositionArithmetic.Report(s_template, Basis(changes));

    [Fact]
    public void AverageCostIsReportedRoundedHalfToEvenToEightPlaces()
    {
        // (1 × 1 + 2 × 2) / 3 = 1.666… → 1.66666667; the basis keeps the cost 5 exactly.
        Assert.Equal(1.66666667m, Apply((1m, 1m), (2m, 2m)).AverageCost);
        Assert.Equal(5m, Basis((1m, 1m), (2m, 2m)).Cost);
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
    public void PartialClosesOfAThirdsAverageRealizeExactlyWhatCashMovedOnceFlat()
    {
        // Cost 5 for 3 units; three sells of 1 at 2: the parts are 2 − 5/3 each, unrounded; the total is 6 − 5.
        CostBasis b = Basis((1m, 1m), (2m, 2m), (-1m, 2m), (-1m, 2m), (-1m, 2m));
        Assert.Equal((0m, 0m, 1m), (b.Quantity, b.Cost, b.Realized));
    }

    [Fact]
    public void QuantityBeyondTheContractRangeCannotBeReported() =>
        Assert.Throws<BrokerageInvariantException>(() => Apply((90_000_000_000_000_000_000m, 1m), (90_000_000_000_000_000_000m, 1m)));

    [Fact]
    public void DecimalOverflowIsReportedAsAnOverflowForTheCallerToRefuse() =>
        Assert.Throws<OverflowException>(() => PositionArithmetic.Apply(new CostBasis(1m, 79_000_000_000_000_000_000_000_000_000m, 0m), 1m, 79_000_000_000_000_000_000_000_000_000m));

    [Fact]
    public void StoredPositionsAreCheckedWhenRead()
    {
        var serde = Internal.JsonSerde.For<Internal.PositionEntry>(Internal.PositionEntry.Check);
        var broken = new Internal.PositionEntry(new Position { AccountId = "A", InstrumentId = "I", Currency = "USD", Quantity = 0m, AverageCost = 5m }, 1m, 1m)
        {
            Basis = CostBasis.Flat,
            Base = CostBasis.Flat,
        };
        byte[] bytes = serde.Serializer.Serialize(broken, default);

        Assert.Throws<BrokerageInvariantException>(() => serde.Deserializer.Deserialize(bytes, false, default));
    }

    [Fact]
    public void AStoredPositionWhoseBasisDisagreesWithItsQuantityIsRefusedWhenRead()
    {
        var serde = Internal.JsonSerde.For<Internal.PositionEntry>(Internal.PositionEntry.Check);
        var broken = new Internal.PositionEntry(new Position { AccountId = "A", InstrumentId = "I", Currency = "USD", Quantity = 1m, AverageCost = 5m }, 1m, 1m)
        {
            Basis = new CostBasis(2m, 10m, 0m),
            Base = CostBasis.Flat,
        };
        byte[] bytes = serde.Serializer.Serialize(broken, default);

        Assert.Throws<BrokerageInvariantException>(() => serde.Deserializer.Deserialize(bytes, false, default));
    }
}
