using PrimeBroker.Streams.Brokerage.Tests.Fixtures;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>Rule 4: an idempotency key applied within the window is never applied again, even re-sequenced; keys expire
/// by punctuator through the time index.</summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule04IdempotencyTests(RegistryFixture fixture)
{
    [Fact]
    public void AReSequencedProducerRetryIsSkippedAndCountedAndConsumesItsNumber()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", idempotencyKey: "order-77"));
        h.Send(Events.Created("ACC-1", 2, "T-1", idempotencyKey: "order-77")); // the producer retried with a fresh number
        h.Send(Events.Created("ACC-1", 3, "T-3"));

        Assert.Equal(200m, h.Position("ACC-1", "AAPL").Quantity);
        Assert.Equal(1, h.Queries.Counters.IdempotencySkipped);
        Assert.Equal(2, h.Queries.Counters.Applied);
        Assert.True(h.DeadLetters.IsEmpty);
        Assert.Null(h.Queries.GapOf("ACC-1"));
    }

    [Fact]
    public void ARetriedCancelIsSkippedNotDeadLetteredAsAlreadyCancelled()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Cancelled("ACC-1", 2, "T-1", idempotencyKey: "cancel-T-1"),
            Events.Cancelled("ACC-1", 3, "T-1", idempotencyKey: "cancel-T-1"));

        Assert.True(h.DeadLetters.IsEmpty);
        Assert.Equal(1, h.Queries.Counters.IdempotencySkipped);
    }

    [Fact]
    public void TheSameKeyOnAnotherAccountIsAnotherKey()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", idempotencyKey: "k"), Events.Created("ACC-2", 1, "T-2", idempotencyKey: "k"));

        Assert.Equal(2, h.Queries.Counters.Applied);
    }

    [Fact]
    public void AKeyOlderThanTheWindowInEventTimeIsAppliedAgain()
    {
        using var h = new BrokerageHarness(fixture, o => o.IdempotencyWindow = TimeSpan.FromDays(7));
        h.Send(Events.Created("ACC-1", 1, "T-1", idempotencyKey: "k", time: Events.Monday));
        h.Send(Events.Created("ACC-1", 2, "T-2", idempotencyKey: "k", time: Events.Monday.AddDays(6)));
        h.Send(Events.Created("ACC-1", 3, "T-3", idempotencyKey: "k", time: Events.Monday.AddDays(8)));

        Assert.Equal(1, h.Queries.Counters.IdempotencySkipped);
        Assert.Equal(200m, h.Position("ACC-1", "AAPL").Quantity);
    }

    [Fact]
    public void ARejectedEventDoesNotRecordItsKeySoACorrectedResendIsApplied()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", currency: "usd", idempotencyKey: "k"));
        h.Send(Events.Created("ACC-1", 2, "T-1", currency: "USD", idempotencyKey: "k"));

        Assert.Equal(1, h.Queries.Counters.Applied);
        Assert.Equal(1, h.Queries.Counters.DeadLettered[DeadLetterReason.UnknownCurrency]);
    }

    [Fact]
    public void ThePunctuatorExpiresKeysOlderThanTheWindowFromTheNewestEventTimeByARangeScan()
    {
        using var h = new BrokerageHarness(fixture, o => { o.IdempotencyWindow = TimeSpan.FromDays(1); o.IdempotencyExpiryInterval = TimeSpan.FromMinutes(1); });
        for (int i = 1; i <= 5; i++)
        {
            h.Send(Events.Created("ACC-1", i, $"T-{i}", time: Events.Monday.AddHours(i)));
        }

        var entries = h.Driver.GetKeyValueStore<string, Internal.IdempotencyEntry>(BrokerageStores.Idempotency);
        var index = h.Driver.GetKeyValueStore<string, string>(BrokerageStores.IdempotencyByTime);
        Assert.Equal(5, entries.ApproximateNumEntries);

        // Newest event time becomes Monday + 1 day + 3.5 h: keys of hours 1..3 are older than the window.
        h.Send(Events.Created("ACC-1", 6, "T-6", time: Events.Monday.AddDays(1).AddHours(3.5)));
        h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(1));

        Assert.Equal(3, entries.ApproximateNumEntries); // hours 4, 5 and the new one
        Assert.Equal(3, index.ApproximateNumEntries);
        Assert.All(index.All(), e => Assert.True(entries.TryGet(e.Value, out _), $"index entry {e.Key} points at a missing key"));
    }

    [Fact]
    public void ExpiryRemovesAtMostTheConfiguredNumberPerRun()
    {
        using var h = new BrokerageHarness(fixture, o => { o.IdempotencyWindow = TimeSpan.FromHours(1); o.MaxIdempotencyExpiriesPerRun = 2; });
        for (int i = 1; i <= 5; i++)
        {
            h.Send(Events.Created("ACC-1", i, $"T-{i}", time: Events.Monday));
        }

        h.Send(Events.Created("ACC-1", 6, "T-6", time: Events.Monday.AddDays(1)));
        var entries = h.Driver.GetKeyValueStore<string, Internal.IdempotencyEntry>(BrokerageStores.Idempotency);
        h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(1));
        Assert.Equal(4, entries.ApproximateNumEntries);
        h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(1));
        Assert.Equal(2, entries.ApproximateNumEntries);
    }
}
