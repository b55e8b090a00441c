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
        using var h = new BrokerageHarness(fixture, o => o with { IdempotencyWindow = TimeSpan.FromDays(7) });
        h.Driver.AdvanceWallClockTime(TimeSpan.FromDays(8));
        h.Send(Events.Created("ACC-1", 1, "T-1", idempotencyKey: "k", time: Events.Monday));
        h.Send(Events.Created("ACC-1", 2, "T-1", idempotencyKey: "k", time: Events.Monday.AddDays(6)));
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
    public void BookingExpiresTheAccountsOwnKeysOlderThanTheWindowByARangeScan()
    {
        using var h = new BrokerageHarness(fixture, o => o with { IdempotencyWindow = TimeSpan.FromDays(1) });
        for (int i = 1; i <= 5; i++)
        {
            h.Send(Events.Created("ACC-1", i, $"T-{i}", time: Events.Monday.AddHours(i)));
        }

        var entries = h.Driver.GetKeyValueStore<string, Internal.IdempotencyEntry>(BrokerageStores.Idempotency);
        var index = h.Driver.GetKeyValueStore<string, string>(BrokerageStores.IdempotencyByTime);
        Assert.Equal(5, entries.ApproximateNumEntries);

        // The account's event at Monday + 1 day + 3.5 h: its keys of hours 1..3 are older than the window.
        h.Driver.AdvanceWallClockTime(TimeSpan.FromHours(3.5));
        h.Send(Events.Created("ACC-1", 6, "T-6", time: Events.Monday.AddDays(1).AddHours(3.5)));

        Assert.Equal(3, entries.ApproximateNumEntries); // hours 4, 5 and the new one
        Assert.Equal(3, index.ApproximateNumEntries);
        Assert.All(index.All(), e => Assert.True(entries.TryGet(e.Value, out _), $"index entry {e.Key} points at a missing key"));
    }

    [Fact]
    public void ExpiryRemovesAtMostTheConfiguredNumberPerEvent()
    {
        using var h = new BrokerageHarness(fixture, o => o with { IdempotencyWindow = TimeSpan.FromHours(1), MaxIdempotencyExpiriesPerRun = 2 });
        for (int i = 1; i <= 5; i++)
        {
            h.Send(Events.Created("ACC-1", i, $"T-{i}", time: Events.Monday));
        }

        var entries = h.Driver.GetKeyValueStore<string, Internal.IdempotencyEntry>(BrokerageStores.Idempotency);
        h.Send(Events.Created("ACC-1", 6, "T-6", time: Events.Monday.AddDays(1)));
        Assert.Equal(4, entries.ApproximateNumEntries); // 5 + 1 − 2
        h.Send(Events.Created("ACC-1", 7, "T-7", time: Events.Monday.AddDays(1)));
        Assert.Equal(3, entries.ApproximateNumEntries); // 4 + 1 − 2
    }

    [Fact]
    public void OneAccountsLaterEventsNeverExpireAnotherAccountsKeys()
    {
        using var h = new BrokerageHarness(fixture, o => o with { IdempotencyWindow = TimeSpan.FromDays(7) });
        h.Send(Events.Created("ACC-1", 1, "T-1", idempotencyKey: "k", time: Events.Monday));
        h.Driver.AdvanceWallClockTime(TimeSpan.FromDays(8));
        h.Send(Events.Created("ACC-2", 1, "T-2", time: Events.Monday.AddDays(9)));
        h.Driver.AdvanceWallClockTime(TimeSpan.FromHours(2));

        // ACC-1's producer retries its event (same key and event time) under a new sequence number.
        h.Send(Events.Created("ACC-1", 2, "T-1", idempotencyKey: "k", time: Events.Monday));

        Assert.Equal(1, h.Queries.Counters.IdempotencySkipped);
        Assert.Equal(100m, h.Position("ACC-1", "AAPL").Quantity);
    }

    [Fact]
    public void AnEventDatedNextYearIsDeadLetteredAndExpiresNoKey()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", idempotencyKey: "k", time: Events.Monday));
        h.Send(Events.Created("ACC-2", 1, "T-2", time: Events.Monday.AddYears(1)));
        h.Driver.AdvanceWallClockTime(TimeSpan.FromHours(2));
        h.Send(Events.Created("ACC-1", 2, "T-1", idempotencyKey: "k", time: Events.Monday));

        Assert.Equal(nameof(DeadLetterReason.EventTimeAhead), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.Equal(1, h.Queries.Counters.IdempotencySkipped);
        Assert.Equal(100m, h.Position("ACC-1", "AAPL").Quantity);
        Assert.Null(h.Queries.PositionOf("ACC-2", "AAPL"));
    }
}
