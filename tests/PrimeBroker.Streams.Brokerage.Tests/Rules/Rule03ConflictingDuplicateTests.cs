using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Issue 18, finding 8: a duplicate whose content differs from what its sequence number or idempotency key already
/// applied is an incident, dead-lettered with its own reason and alerted; an exact resend stays a silent, counted skip.
/// "Same content" is the event's booking terms (kind, trade id, idempotency key, instrument, side, quantity, price,
/// currency); the sequence number, event time and descriptive fields are not compared.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule03ConflictingDuplicateTests(RegistryFixture fixture)
{
    [Fact]
    public void AnotherTradeUnderAnAlreadyUsedSequenceNumberIsDeadLetteredAndAlerted()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-1", 2, "T-2"));
        h.Send(Events.Created("ACC-1", 1, "T-9", quantity: 5m, idempotencyKey: "other")); // a second numbering of the account

        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.ConflictingSequenceNumber), dead.errorType);
        Assert.Contains("T-1", dead.errorMessage);
        BrokerageAlert alert = Assert.Single(h.Alerts.ReadValuesToListOf());
        Assert.Equal(AlertKind.CONFLICTING_DUPLICATE, alert.kind);
        Assert.Equal(AlertSeverity.ERROR, alert.severity);
        Assert.Equal("ACC-1", alert.accountId);
        Assert.Equal("1", alert.details["sequenceNumber"]);
        Assert.Equal("T-1", alert.details["appliedTradeId"]);
        Assert.Equal("T-9", alert.details["tradeId"]);
        Assert.Equal(0, h.Queries.Counters.DuplicatesSkipped);
        Assert.Equal(200m, h.Position("ACC-1", "AAPL").Quantity); // nothing booked
        Assert.Equal(3, h.Queries.ExpectedSequenceOf("ACC-1"));
    }

    [Fact]
    public void AnExactResendUnderItsNumberStaysASilentCountedSkipEvenWithAnotherEventTime()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-1", 2, "T-2"));
        h.Send(Events.Created("ACC-1", 1, "T-1", time: Events.Monday.AddMinutes(3))); // re-stamped by the producer's retry
        h.Send(Events.Created("ACC-1", 1, "T-1", price: 10.000m)); // the same amount, written with another scale

        Assert.True(h.DeadLetters.IsEmpty);
        Assert.True(h.Alerts.IsEmpty);
        Assert.Equal(2, h.Queries.Counters.DuplicatesSkipped);
    }

    [Fact]
    public void AnotherTradeUnderAHeldNumberIsDeadLetteredAndTheHeldOneStays()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 3, "T-3"), Events.Created("ACC-1", 3, "T-3"));
        h.Send(Events.Created("ACC-1", 3, "T-X", side: TradeSide.SELL));

        Assert.Equal(1, h.Queries.Counters.DuplicatesSkipped);
        Assert.Equal(nameof(DeadLetterReason.ConflictingSequenceNumber), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.Equal(AlertKind.CONFLICTING_DUPLICATE, Assert.Single(h.Alerts.ReadValuesToListOf()).kind);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-1", 2, "T-2"));
        Assert.Equal(300m, h.Position("ACC-1", "AAPL").Quantity); // T-3, not T-X, was released
    }

    [Fact]
    public void TheSameIdempotencyKeyWithAnotherTradeIsDeadLetteredAndAlertedAndConsumesItsNumber()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", idempotencyKey: "order-77"));
        h.Send(Events.Created("ACC-1", 2, "T-2", idempotencyKey: "order-77")); // the producer reused a key
        h.Send(Events.Created("ACC-1", 3, "T-3"));

        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.ConflictingIdempotencyKey), dead.errorType);
        Assert.Contains("T-1", dead.errorMessage);
        BrokerageAlert alert = Assert.Single(h.Alerts.ReadValuesToListOf());
        Assert.Equal(AlertKind.CONFLICTING_DUPLICATE, alert.kind);
        Assert.Equal("order-77", alert.details["idempotencyKey"]);
        Assert.Equal("T-1", alert.details["appliedTradeId"]);
        Assert.Equal(0, h.Queries.Counters.IdempotencySkipped);
        Assert.Equal(200m, h.Position("ACC-1", "AAPL").Quantity);
        Assert.Null(h.Queries.GapOf("ACC-1"));
    }

    [Fact]
    public void TheSameIdempotencyKeyWithOtherTermsOfTheSameTradeIsAConflict()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", idempotencyKey: "k"));
        h.Send(Events.Created("ACC-1", 2, "T-1", quantity: 101m, idempotencyKey: "k"));

        Assert.Equal(nameof(DeadLetterReason.ConflictingIdempotencyKey), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.Equal(100m, h.Position("ACC-1", "AAPL").Quantity);
    }
}
