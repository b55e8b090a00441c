using PrimeBroker.Streams.Brokerage.Tests.Fixtures;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>The trades store is bounded: a trade is kept for amends and cancels until its settlement date plus the
/// retention (by the wall clock), then forgotten by a range scan of its settlement-date index.</summary>
[Collection(BrokerageCollection.Name)]
public sealed class TradeRetentionTests(RegistryFixture fixture)
{
    [Fact]
    public void TradesPastTheirRetentionByTheWallClockAreForgottenAndCanNoLongerBeCancelled()
    {
        using var h = new BrokerageHarness(fixture, o => o with { TradeRetentionAfterSettlement = TimeSpan.FromDays(2), TradeExpiryInterval = TimeSpan.FromMinutes(10) });
        h.Send(Events.Created("ACC-1", 1, "T-1", time: Events.Monday)); // settles Wednesday 7 January
        h.Driver.AdvanceWallClockTime(TimeSpan.FromDays(3)); // Friday 9: horizon 7 January, nothing settled before it
        h.Send(Events.Created("ACC-1", 2, "T-2", time: Events.Monday.AddDays(4))); // settles Tuesday 13
        var trades = h.Driver.GetKeyValueStore<string, global::PrimeBroker.Streams.Brokerage.Domain.TradeState>(BrokerageStores.Trades);
        Assert.Equal(2, trades.ApproximateNumEntries);

        h.Driver.AdvanceWallClockTime(TimeSpan.FromDays(2)); // Sunday 11: horizon 9 January

        Assert.Equal(1, trades.ApproximateNumEntries);
        Assert.False(trades.TryGet("T-1", out _));
        Assert.Equal(1, h.Driver.GetKeyValueStore<string, string>(BrokerageStores.TradesBySettlement).ApproximateNumEntries);
        h.Send(Events.Cancelled("ACC-1", 3, "T-1", time: Events.Monday.AddDays(6)));
        Assert.Equal(nameof(DeadLetterReason.UnknownTrade), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.Equal(200m, h.Position("ACC-1", "AAPL").Quantity); // positions are not affected by forgetting trades
    }

    [Fact]
    public void AnEventDatedFarAheadNeitherBooksNorMovesTheRetentionOfOtherTrades()
    {
        using var h = new BrokerageHarness(fixture, o => o with { TradeExpiryInterval = TimeSpan.FromMinutes(10) });
        h.Send(Events.Created("ACC-1", 1, "T-1", time: Events.Monday));
        h.Send(Events.Created("ACC-2", 1, "T-2", time: Events.Monday.AddYears(1)));
        h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(10));

        h.Send(Events.Cancelled("ACC-1", 2, "T-1"));
        Assert.Equal(nameof(DeadLetterReason.EventTimeAhead), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.Equal(0m, h.Position("ACC-1", "AAPL").Quantity);
    }
}
