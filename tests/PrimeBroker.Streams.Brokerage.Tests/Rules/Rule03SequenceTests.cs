using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Errors;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Rule 3 and the seed's scenarios: duplicate, old resend, gap then fill, gap timeout alert, operator gap resolution;
/// the held-events limit; held events are never dropped silently.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule03SequenceTests(RegistryFixture fixture)
{
    [Fact]
    public void SequencesStartAtOnePerAccount()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-2", 1, "T-2"));

        Assert.Equal(2, h.Queries.ExpectedSequenceOf("ACC-1"));
        Assert.Equal(2, h.Queries.ExpectedSequenceOf("ACC-2"));
        Assert.Equal(1, h.Queries.ExpectedSequenceOf("ACC-3"));
        Assert.Empty(h.Queries.OpenGaps());
    }

    [Fact]
    public void ADuplicateIsSkippedAndCountedWithoutDeadLetter()
    {
        using var h = new BrokerageHarness(fixture);
        var trade = Events.Created("ACC-1", 1, "T-1");
        h.Send(trade, trade);

        Assert.Equal(100m, h.Position("ACC-1", "AAPL").Quantity);
        Assert.Equal(1, h.Queries.Counters.DuplicatesSkipped);
        Assert.True(h.DeadLetters.IsEmpty);
        Assert.Single(h.Ledger.ReadValuesToListOf());
    }

    [Fact]
    public void AnOldResendIsSkippedAndCountedWithoutDeadLetter()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-1", 2, "T-2"), Events.Created("ACC-1", 3, "T-3"));
        h.Send(Events.Created("ACC-1", 1, "T-1")); // other content under a used number: Rule03ConflictingDuplicateTests

        Assert.Equal(300m, h.Position("ACC-1", "AAPL").Quantity);
        Assert.Equal(1, h.Queries.Counters.DuplicatesSkipped);
        Assert.True(h.DeadLetters.IsEmpty);
        Assert.Equal(4, h.Queries.ExpectedSequenceOf("ACC-1"));
    }

    [Fact]
    public void AGapHoldsLaterEventsUntilItFillsThenReleasesThemInOrder()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 10m));
        h.Send(Events.Created("ACC-1", 4, "T-4", side: TradeSide.SELL, quantity: 5m), Events.Created("ACC-1", 3, "T-3", quantity: 30m));

        Assert.Equal(10m, h.Position("ACC-1", "AAPL").Quantity);
        SequenceGap gap = Assert.Single(h.Queries.OpenGaps());
        Assert.Equal(new SequenceGap("ACC-1", 2, 3, 2, gap.OpenSince, Alerted: false) { OldestHeldSince = gap.OldestHeldSince, AwaitingRedrive = gap.AwaitingRedrive }, gap);
        Assert.Empty(gap.AwaitingRedrive);
        Assert.Equal(2, h.Queries.Counters.HeldNow);

        h.Send(Events.Created("ACC-1", 2, "T-2", quantity: 20m));

        Assert.Empty(h.Queries.OpenGaps());
        Assert.Equal(0, h.Queries.Counters.HeldNow);
        Assert.Equal(2, h.Queries.Counters.HeldTotal);
        Assert.Equal(5, h.Queries.ExpectedSequenceOf("ACC-1"));
        Assert.Equal(55m, h.Position("ACC-1", "AAPL").Quantity);
        Assert.Equal([1L, 2, 3, 4], h.Positions.ReadValuesToListOf().Select(p => p.sequenceNumber));
    }

    [Fact]
    public void AResendOfAHeldNumberIsADuplicate()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 3, "T-3"), Events.Created("ACC-1", 3, "T-3"));

        Assert.Equal(1, h.Queries.Counters.DuplicatesSkipped);
        Assert.Equal(1, h.Queries.GapOf("ACC-1")!.HeldCount);
    }

    [Fact]
    public void PartialFillMovesTheGapAndRestartsItsClock()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 2, "T-2"), Events.Created("ACC-1", 5, "T-5"));
        h.Driver.AdvanceWallClockTime(TimeSpan.FromSeconds(20));
        h.SendAt(Events.Created("ACC-1", 1, "T-1"), BrokerageHarness.WallClockStart.AddSeconds(20));

        SequenceGap gap = h.Queries.GapOf("ACC-1")!;
        Assert.Equal(3, gap.ExpectedSequence);
        Assert.Equal(5, gap.FirstHeldSequence);
        Assert.Equal(1, gap.HeldCount);
        Assert.Equal(BrokerageHarness.WallClockStart.AddSeconds(20), gap.OpenSince);
    }

    [Fact]
    public void AGapOpenPastTheTimeoutRaisesOneAlertNamingAccountAndMissingRangeAndStaysQueryable()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-1", 4, "T-4"));

        h.Driver.AdvanceWallClockTime(TimeSpan.FromSeconds(29));
        Assert.True(h.Alerts.IsEmpty);

        h.Driver.AdvanceWallClockTime(TimeSpan.FromSeconds(2));
        BrokerageAlert alert = Assert.Single(h.Alerts.ReadValuesToListOf());
        Assert.Equal(AlertKind.SEQUENCE_GAP_OPEN, alert.kind);
        Assert.Equal(AlertSeverity.ERROR, alert.severity);
        Assert.Equal("ACC-1", alert.accountId);
        Assert.Equal("2", alert.details["missingFrom"]);
        Assert.Equal("3", alert.details["missingTo"]);
        Assert.Contains("2..3", alert.message);

        h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(5));
        Assert.True(h.Alerts.IsEmpty); // once per gap
        SequenceGap gap = h.Queries.GapOf("ACC-1")!;
        Assert.True(gap.Alerted);
        Assert.Equal(1, h.Queries.Counters.GapsAlerted);
        Assert.Equal(1, h.Queries.Counters.HeldNow); // held, not dropped
    }

    [Fact]
    public void TheGapTimeoutIsConfigurable()
    {
        using var h = new BrokerageHarness(fixture, o => o with { GapAlertAfter = TimeSpan.FromSeconds(5), GapCheckInterval = TimeSpan.FromSeconds(1) });
        h.Send(Events.Created("ACC-1", 2, "T-2"));
        h.Driver.AdvanceWallClockTime(TimeSpan.FromSeconds(6));

        Assert.Equal(AlertKind.SEQUENCE_GAP_OPEN, Assert.Single(h.Alerts.ReadValuesToListOf()).kind);
    }

    [Fact]
    public void AnOperatorResolvesAGapSkippingTheMissingNumbersReleasingTheHeldAndAuditingInAlerts()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-1", 4, "T-4"), Events.Created("ACC-1", 5, "T-5"), Events.Created("ACC-1", 7, "T-7"));
        h.Send(Events.ResolveGap("ACC-1", expectedSequence: 2, commandId: "cmd-42"));

        Assert.Equal(300m, h.Position("ACC-1", "AAPL").Quantity); // 1, 4 and 5 booked; 7 still waits for 6
        SequenceGap gap = h.Queries.GapOf("ACC-1")!;
        Assert.Equal(6, gap.ExpectedSequence);
        Assert.Equal(7, gap.FirstHeldSequence);
        BrokerageAlert audit = Assert.Single(h.Alerts.ReadValuesToListOf());
        Assert.Equal(AlertKind.SEQUENCE_GAP_RESOLVED, audit.kind);
        Assert.Equal("gap-resolution:cmd-42", audit.alertId);
        Assert.Equal("2", audit.details["skippedFrom"]);
        Assert.Equal("3", audit.details["skippedTo"]);
        Assert.Equal("ops@example.com", audit.details["requestedBy"]);
        Assert.Equal(1, h.Queries.Counters.GapsResolved);

        // A late arrival of a skipped number is now a stale resend.
        h.Send(Events.Created("ACC-1", 2, "T-2"));
        Assert.Equal(1, h.Queries.Counters.DuplicatesSkipped);
    }

    [Fact]
    public void AResolutionForAGapThatMovedOrDoesNotExistIsRefusedAndAudited()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.ResolveGap("ACC-1", null, "cmd-1"));
        h.Send(Events.Created("ACC-1", 3, "T-3"));
        h.Send(Events.ResolveGap("ACC-1", expectedSequence: 2, "cmd-2"));

        var alerts = h.Alerts.ReadValuesToListOf();
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(AlertKind.SEQUENCE_GAP_RESOLUTION_REFUSED, a.kind));
        Assert.Equal(1, h.Queries.GapOf("ACC-1")!.ExpectedSequence);
        Assert.Equal(2, h.Queries.Counters.GapResolutionsRefused);
    }

    [Fact]
    public void ResolutionWithoutExpectedSequenceResolvesTheOpenGap()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 3, "T-3"), Events.ResolveGap("ACC-1", null));

        Assert.Null(h.Queries.GapOf("ACC-1"));
        Assert.Equal(4, h.Queries.ExpectedSequenceOf("ACC-1"));
    }

    [Fact]
    public void BeyondTheHeldLimitAnEventIsDeadLetteredWithAnAlertNotDropped()
    {
        using var h = new BrokerageHarness(fixture, o => o with { MaxHeldEventsPerAccount = 2 });
        h.Send(Events.Created("ACC-1", 2, "T-2"), Events.Created("ACC-1", 3, "T-3"), Events.Created("ACC-1", 4, "T-4"));

        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.HeldEventsLimitReached), dead.errorType);
        Assert.Equal(AlertKind.HELD_EVENTS_LIMIT_REACHED, Assert.Single(h.Alerts.ReadValuesToListOf()).kind);
        Assert.Equal(2, h.Queries.GapOf("ACC-1")!.HeldCount);

        // Its number was not consumed: a resend is held and released once the gap fills.
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-1", 4, "T-4"));
        Assert.Equal(400m, h.Position("ACC-1", "AAPL").Quantity);
    }

    [Fact]
    public void AHeldEventOlderThanTheInputRetentionStopsTheTaskWithACriticalFailure()
    {
        using var h = new BrokerageHarness(fixture, o => o with { HeldEventMaxAge = TimeSpan.FromMinutes(10) });
        h.Send(Events.Created("ACC-1", 2, "T-2"));
        h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(5));
        Assert.True(h.Health.IsHealthy);

        var failure = Assert.Throws<TaskFailedException>(() => h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(6)));
        Assert.IsType<BrokerageInvariantException>(failure.InnerException);
        Assert.False(h.Health.IsHealthy);
        CriticalFailure critical = Assert.Single(h.Health.CriticalFailures);
        Assert.Equal("ACC-1", critical.AccountId);
        Assert.Contains("retention", critical.Message);
    }

    [Fact]
    public void ARepeatedGapResolutionCommandIsAppliedOnceAndNeverSkipsALaterRealGap()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-1", 3, "T-3"));
        h.Send(Events.ResolveGap("ACC-1", expectedSequence: null, commandId: "cmd-1"));
        Assert.Null(h.Queries.GapOf("ACC-1"));

        h.Send(Events.Created("ACC-1", 5, "T-5"));
        h.Send(Events.ResolveGap("ACC-1", expectedSequence: null, commandId: "cmd-1")); // the operator's tool retried

        SequenceGap gap = h.Queries.GapOf("ACC-1")!;
        Assert.Equal((4L, 5L), (gap.ExpectedSequence, gap.FirstHeldSequence));
        Assert.Equal(1, h.Queries.Counters.GapsResolved);
        h.Send(Events.Created("ACC-1", 4, "T-4"));
        Assert.Equal(400m, h.Position("ACC-1", "AAPL").Quantity);
    }
}
