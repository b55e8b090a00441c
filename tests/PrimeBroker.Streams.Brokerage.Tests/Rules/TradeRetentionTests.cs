using PrimeBroker.Streams.Brokerage.Tests.Fixtures;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>The trades store is bounded: a trade is kept for amends and cancels until its settlement date plus the
/// retention (event time), then forgotten by a range scan of its settlement-date index.</summary>
[Collection(BrokerageCollection.Name)]
public sealed class TradeRetentionTests(RegistryFixture fixture)
{
    [Fact]
    public void TradesPastTheirRetentionAreForgottenAndCanNoLongerBeCancelled()
    {
        using var h = new BrokerageHarness(fixture, o => { o.TradeRetentionAfterSettlement = TimeSpan.FromDays(2); o.TradeExpiryInterval = TimeSpan.FromMinutes(10); });
        h.Send(Events.Created("ACC-1", 1, "T-1", time: Events.Monday)); // settles Wednesday 7 January
        h.Send(Events.Created("ACC-1", 2, "T-2", time: Events.Monday.AddDays(3))); // Thursday: settles Monday 12
        h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(10));
        var trades = h.Driver.GetKeyValueStore<string, global::PrimeBroker.Streams.Brokerage.Domain.TradeState>(BrokerageStores.Trades);
        Assert.Equal(2, trades.ApproximateNumEntries); // settled 7 January + 2 days is still after Thursday 8

        h.Send(Events.Created("ACC-1", 3, "T-3", time: Events.Monday.AddDays(5))); // Saturday 10: horizon 8 January
        h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(10));

        Assert.Equal(2, trades.ApproximateNumEntries);
        Assert.False(trades.TryGet("T-1", out _));
        Assert.Equal(2, h.Driver.GetKeyValueStore<string, string>(BrokerageStores.TradesBySettlement).ApproximateNumEntries);
        h.Send(Events.Cancelled("ACC-1", 4, "T-1"));
        Assert.Equal(nameof(DeadLetterReason.UnknownTrade), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.Equal(300m, h.Position("ACC-1", "AAPL").Quantity); // positions are not affected by forgetting trades
    }
}
