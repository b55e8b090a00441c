using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>Rule 8: PENDING at T+2 business days, amended in place, CANCELLED on cancel.</summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule08SettlementTests(RegistryFixture fixture)
{
    [Fact]
    public void ACreatedTradeIsPendingForTPlusTwoBusinessDays()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 2.5m, time: Events.Monday));

        var record = Assert.Single(h.Settlements.ReadRecordsToList());
        Assert.Equal("ACC-1", record.Key);
        SettlementStatusChanged s = record.Value;
        Assert.Equal(SettlementStatus.PENDING, s.status);
        Assert.Equal(new DateTime(2026, 1, 7), s.settlementDate);
        Assert.Equal(25m, Money.FromAvro(s.amount));
        Assert.Equal(10m, Money.FromAvro(s.quantity!.Value));
        Assert.Equal("USD", s.currency);
        Assert.Equal("T-1:settlement", s.settlementId);
        Assert.Equal("AAPL", s.instrumentId);
        Assert.Equal("BUY", s.side);
    }

    [Fact]
    public void AThursdayTradeSettlesOnMondaySkippingTheWeekend()
    {
        using var h = new BrokerageHarness(fixture);
        h.Driver.AdvanceWallClockTime(TimeSpan.FromDays(3)); // Friday 9 January
        h.Send(Events.Created("ACC-1", 1, "T-1", time: new DateTime(2026, 1, 8, 15, 0, 0, DateTimeKind.Utc)));

        Assert.Equal(new DateTime(2026, 1, 12), Assert.Single(h.Settlements.ReadValuesToListOf()).settlementDate);
    }

    [Fact]
    public void ConfiguredHolidaysAreSkipped()
    {
        using var h = new BrokerageHarness(fixture, o => o with { SettlementHolidays = [new DateOnly(2026, 1, 6), new DateOnly(2026, 1, 7)] });
        h.Send(Events.Created("ACC-1", 1, "T-1", time: Events.Monday));

        Assert.Equal(new DateTime(2026, 1, 9), Assert.Single(h.Settlements.ReadValuesToListOf()).settlementDate);
    }

    [Fact]
    public void AnAmendUpdatesThePendingInstructionAndACancelCancelsIt()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 2m), Events.Amended("ACC-1", 2, "T-1", 15m, 2m), Events.Cancelled("ACC-1", 3, "T-1"));

        var s = h.Settlements.ReadValuesToListOf();
        Assert.Equal([SettlementStatus.PENDING, SettlementStatus.PENDING, SettlementStatus.CANCELLED], s.Select(x => x.status));
        Assert.Equal([20m, 30m, 30m], s.Select(x => Money.FromAvro(x.amount)));
        Assert.Equal([10m, 15m, 15m], s.Select(x => Money.FromAvro(x.quantity!.Value)));
        Assert.Single(s.Select(x => x.settlementId).Distinct());
        Assert.Single(s.Select(x => x.settlementDate).Distinct());
    }
}
