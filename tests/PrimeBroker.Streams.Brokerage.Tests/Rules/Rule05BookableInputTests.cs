using System.Numerics;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Rule 5 against what booking, the ledger, settlement and serialization cannot take: each such input is dead-lettered
/// with its own reason, consumes its sequence number, and the partition goes on (no critical stop).
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule05BookableInputTests(RegistryFixture fixture)
{
    [Fact]
    public void ANotionalThatRoundsToZeroIsDeadLetteredNotACriticalStop()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 0.00000001m, price: 0.5m), Events.Created("ACC-1", 2, "T-2"));

        AssertDeadLetteredAndGoesOn(h, DeadLetterReason.NotionalRoundsToZero);
    }

    [Fact]
    public void AQuantityBeyondTwentyIntegerDigitsIsDeadLetteredBeforeSettlementCouldFailOnIt()
    {
        using var h = new BrokerageHarness(fixture);
        var trade = Events.Created("ACC-1", 1, "T-1", price: 0.00000001m);
        trade.quantity = new Avro.AvroDecimal(BigInteger.Parse("200000000000000000000") * BigInteger.Pow(10, 8), 8); // 2 × 10^20
        h.Send(trade, Events.Created("ACC-1", 2, "T-2"));

        AssertDeadLetteredAndGoesOn(h, DeadLetterReason.AmountOutOfRange);
    }

    [Fact]
    public void AnAvroDecimalBeyondNinetySixBitsIsDeadLetteredAfterSequencing()
    {
        using var h = new BrokerageHarness(fixture);
        var trade = Events.Created("ACC-1", 1, "T-1");
        trade.price = new Avro.AvroDecimal(BigInteger.Pow(2, 100), 8);
        h.Send(trade, Events.Created("ACC-1", 2, "T-2"));

        AssertDeadLetteredAndGoesOn(h, DeadLetterReason.AmountOutOfRange);
    }

    [Fact]
    public void ATradeInTheNewCurrencyOfAnInstrumentWithAnOpenPositionIsDeadLettered()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"));
        h.AddInstrument(Events.Instrument("AAPL", "EUR", 180m));
        h.Send(Events.Created("ACC-1", 2, "T-2", currency: "EUR"), Events.Created("ACC-1", 3, "T-3", instrument: "MSFT"));

        Assert.Equal(nameof(DeadLetterReason.PositionCurrencyMismatch), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.True(h.Health.IsHealthy);
        Assert.Equal(4, h.Queries.ExpectedSequenceOf("ACC-1"));
        Assert.Equal(100m, h.Position("ACC-1", "MSFT").Quantity);
    }

    [Fact]
    public void AFlatPositionRestartsInTheInstrumentsNewCurrencyAndItsOldTradesCanNoLongerBeRestated()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m), Events.Created("ACC-1", 2, "T-2", side: TradeSide.SELL, quantity: 100m, price: 12m));
        h.AddInstrument(Events.Instrument("AAPL", "EUR", 180m));
        h.Send(Events.Created("ACC-1", 3, "T-3", currency: "EUR", quantity: 10m, price: 5m), Events.Cancelled("ACC-1", 4, "T-2"));

        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal(("EUR", 10m, 5m, 0m), (p.Currency, p.Quantity, p.AverageCost, p.RealizedPnl));
        Assert.Equal(nameof(DeadLetterReason.RestatementBeyondHistory), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        var balances = Rule06HistoryTests.LedgerBalances(h.Ledger.ReadValuesToListOf());
        Assert.Equal(0m, balances["ACC-1:SEC:AAPL"] - 50m); // the USD round trip left 0; the EUR lot is 50
    }

    [Fact]
    public void AnAmendOrCancelBeyondThePositionsRestatableHistoryIsDeadLetteredWithTheOptionNamed()
    {
        using var h = new BrokerageHarness(fixture, o => o with { MaxRestatableTradesPerPosition = 2 });
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m), Events.Created("ACC-1", 2, "T-2", quantity: 100m, price: 20m),
            Events.Created("ACC-1", 3, "T-3", quantity: 100m, price: 30m), Events.Cancelled("ACC-1", 4, "T-1"), Events.Cancelled("ACC-1", 5, "T-2"));

        var deadLetter = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.RestatementBeyondHistory), deadLetter.errorType);
        Assert.Contains(nameof(BrokerageOptions.MaxRestatableTradesPerPosition), deadLetter.errorMessage);
        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal((200m, 20m), (p.Quantity, p.AverageCost)); // T-1 folded into the base, T-2 cancelled: (1,000 + 3,000) / 200
    }

    [Fact]
    public void AnEventDatedYear9999IsDeadLetteredAsAheadOfTheWallClock()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", time: new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc)), Events.Created("ACC-1", 2, "T-2"));

        AssertDeadLetteredAndGoesOn(h, DeadLetterReason.EventTimeAhead);
    }

    [Fact]
    public void ATradeDateWithoutASettlementDateIsDeadLetteredNotACalendarException()
    {
        var lastDay = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);
        using var h = new BrokerageHarness(fixture, wallClockStart: lastDay);
        h.Send(Events.Created("ACC-1", 1, "T-1", time: lastDay.UtcDateTime), Events.Created("ACC-1", 2, "T-2"));

        AssertDeadLetteredAndGoesOn(h, DeadLetterReason.SettlementDateOutOfRange);
    }

    private static void AssertDeadLetteredAndGoesOn(BrokerageHarness h, DeadLetterReason reason)
    {
        Assert.Equal(reason.ToString(), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.True(h.Health.IsHealthy);
        Assert.Equal(3, h.Queries.ExpectedSequenceOf("ACC-1"));
        Assert.Equal(100m, h.Position("ACC-1", "AAPL").Quantity);
    }
}
