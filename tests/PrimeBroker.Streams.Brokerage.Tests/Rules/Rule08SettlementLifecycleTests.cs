using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Rule 8's lifecycle (topology/README.md, "Settlement lifecycle"): PENDING → SETTLED | FAILED | CANCELLED by a
/// <see cref="ConfirmSettlement"/> or a cancel, FAILED → SETTLED (late) | FAILED | PENDING (an amend re-instructs) |
/// CANCELLED; SETTLED and CANCELLED are final; an amend never instructs a date in the past.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule08SettlementLifecycleTests(RegistryFixture fixture)
{
    private static readonly DateTime s_wednesday = Events.Monday.AddDays(2);

    [Fact]
    public void AConfirmationSettlesAPendingSettlement()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 2.5m), Events.Confirm("ACC-1", "T-1", SettlementOutcome.SETTLED, "cust-1", s_wednesday));

        var s = h.Settlements.ReadRecordsToList();
        Assert.Equal([SettlementStatus.PENDING, SettlementStatus.SETTLED], s.Select(r => r.Value.status));
        SettlementStatusChanged settled = s[1].Value;
        Assert.Equal(("ACC-1", "T-1:settlement", "T-1"), (s[1].Key, settled.settlementId, settled.tradeId));
        Assert.Equal((25m, 10m, new DateTime(2026, 1, 7)), (Money.FromAvro(settled.amount), Money.FromAvro(settled.quantity!.Value), settled.settlementDate));
        Assert.Equal(s_wednesday, settled.timestamp);
        Assert.Equal(SettlementStatus.SETTLED, h.Queries.SettlementOf("ACC-1", "T-1")!.Status);
        Assert.Empty(h.DeadLetters.ReadValuesToListOf());
    }

    [Fact]
    public void AFailedSettlementCanFailAgainAndSettleLate()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(
            Events.Created("ACC-1", 1, "T-1"),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.FAILED, "cust-1", s_wednesday),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.FAILED, "cust-2", s_wednesday.AddDays(1)),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.SETTLED, "cust-3", s_wednesday.AddDays(2)));

        Assert.Equal([SettlementStatus.PENDING, SettlementStatus.FAILED, SettlementStatus.FAILED, SettlementStatus.SETTLED],
            h.Settlements.ReadValuesToListOf().Select(x => x.status));
        Assert.Equal(3, h.Queries.SettlementOf("ACC-1", "T-1")!.Confirmations);
    }

    [Fact]
    public void ARepeatedConfirmationIsAppliedOnceEvenAfterTheStateMoved()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(
            Events.Created("ACC-1", 1, "T-1"),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.FAILED, "cust-1"),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.SETTLED, "cust-2"),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.FAILED, "cust-1"),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.SETTLED, "cust-2"));

        Assert.Equal([SettlementStatus.PENDING, SettlementStatus.FAILED, SettlementStatus.SETTLED], h.Settlements.ReadValuesToListOf().Select(x => x.status));
        Assert.Empty(h.DeadLetters.ReadValuesToListOf());
    }

    [Fact]
    public void SettledAndCancelledAreFinal()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(
            Events.Created("ACC-1", 1, "T-1"),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.SETTLED, "cust-1"),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.FAILED, "cust-2"),
            Events.Created("ACC-1", 2, "T-2"),
            Events.Cancelled("ACC-1", 3, "T-2"),
            Events.Confirm("ACC-1", "T-2", SettlementOutcome.SETTLED, "cust-3"));

        Assert.Equal([SettlementStatus.PENDING, SettlementStatus.SETTLED, SettlementStatus.PENDING, SettlementStatus.CANCELLED],
            h.Settlements.ReadValuesToListOf().Select(x => x.status));
        var dead = h.DeadLetters.ReadValuesToListOf();
        Assert.Equal([nameof(DeadLetterReason.SettlementTransitionRefused), nameof(DeadLetterReason.SettlementTransitionRefused)], dead.Select(d => d.errorType));
        Assert.Contains("cust-2", dead[0].errorMessage);
        Assert.Contains("SETTLED", dead[0].errorMessage);
        Assert.Contains("CANCELLED", dead[1].errorMessage);
    }

    [Fact]
    public void ASettledTradeIsNotRestatedAmendsAndCancelsAreDeadLettered()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(
            Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 2m),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.SETTLED, "cust-1"));
        Position before = h.Queries.PositionOf("ACC-1", "AAPL")!;
        int ledgerBefore = h.Ledger.ReadValuesToListOf().Count;

        h.Send(Events.Amended("ACC-1", 2, "T-1", 12m, 2m), Events.Cancelled("ACC-1", 3, "T-1"));

        Assert.Equal([nameof(DeadLetterReason.TradeAlreadySettled), nameof(DeadLetterReason.TradeAlreadySettled)],
            h.DeadLetters.ReadValuesToListOf().Select(d => d.errorType));
        Assert.Equal(before, h.Queries.PositionOf("ACC-1", "AAPL"));
        Assert.True(ledgerBefore > 0);
        Assert.Empty(h.Ledger.ReadValuesToListOf());
        Assert.Equal([SettlementStatus.PENDING, SettlementStatus.SETTLED], h.Settlements.ReadValuesToListOf().Select(x => x.status));
        Assert.Equal(3, h.Queries.ExpectedSequenceOf("ACC-1") - 1); // both consumed their numbers
    }

    [Fact]
    public void AnAmendReInstructsAFailedSettlementAndACancelCancelsIt()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(
            Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 2m),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.FAILED, "cust-1"),
            Events.Amended("ACC-1", 2, "T-1", 8m, 2m),
            Events.Confirm("ACC-1", "T-2", SettlementOutcome.FAILED, "cust-x"),
            Events.Confirm("ACC-1", "T-1", SettlementOutcome.FAILED, "cust-2"),
            Events.Cancelled("ACC-1", 3, "T-1"));

        var s = h.Settlements.ReadValuesToListOf();
        Assert.Equal([SettlementStatus.PENDING, SettlementStatus.FAILED, SettlementStatus.PENDING, SettlementStatus.FAILED, SettlementStatus.CANCELLED], s.Select(x => x.status));
        Assert.Equal([20m, 20m, 16m, 16m, 16m], s.Select(x => Money.FromAvro(x.amount)));
        Assert.Equal(nameof(DeadLetterReason.UnknownTrade), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
    }

    [Fact]
    public void AnAmendAfterTheSettlementDateReInstructsOnANewDateNeverInThePast()
    {
        using var h = new BrokerageHarness(fixture);
        h.Driver.AdvanceWallClockTime(TimeSpan.FromDays(4)); // Saturday 10 January
        var friday = new DateTime(2026, 1, 9, 15, 0, 0, DateTimeKind.Utc);
        h.Send(
            Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 2m, time: Events.Monday), // settles Wednesday 7 January
            Events.Amended("ACC-1", 2, "T-1", 11m, 2m, time: new DateTime(2026, 1, 6, 9, 0, 0, DateTimeKind.Utc)), // before: the date stays
            Events.Amended("ACC-1", 3, "T-1", 12m, 2m, time: friday)); // after: T+2 from Friday is Tuesday 13 January

        var s = h.Settlements.ReadValuesToListOf();
        Assert.Equal([SettlementStatus.PENDING, SettlementStatus.PENDING, SettlementStatus.PENDING], s.Select(x => x.status));
        Assert.Equal([new DateTime(2026, 1, 7), new DateTime(2026, 1, 7), new DateTime(2026, 1, 13)], s.Select(x => x.settlementDate));
        Assert.All(s.Skip(2), x => Assert.True(x.settlementDate >= friday.Date));
        Assert.Equal(new DateOnly(2026, 1, 13), h.Queries.SettlementOf("ACC-1", "T-1")!.SettlementDate);
    }

    [Fact]
    public void ConfirmationsThatNameNoTradeOfTheAccountOrNoOutcomeAreDeadLettered()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-2", 1, "T-2"));
        var noCommandId = Events.Confirm("ACC-1", "T-1", SettlementOutcome.SETTLED, "");
        var noTradeId = Events.Confirm("ACC-1", "", SettlementOutcome.SETTLED, "c-1");
        var unknownOutcome = Events.Confirm("ACC-1", "T-1", SettlementOutcome.UNKNOWN, "c-2");
        h.Send(noCommandId, noTradeId, Events.Confirm("ACC-1", "T-9", SettlementOutcome.SETTLED, "c-3"), unknownOutcome);
        // T-2 is ACC-2's: in this single-partition driver it is in the same store, so the account check decides.
        h.Send(Events.Confirm("ACC-1", "T-2", SettlementOutcome.SETTLED, "c-4"));

        Assert.Equal(
            [nameof(DeadLetterReason.MissingCommandId), nameof(DeadLetterReason.MissingTradeId), nameof(DeadLetterReason.UnknownTrade),
                nameof(DeadLetterReason.UnknownSettlementOutcome), nameof(DeadLetterReason.TradeOfAnotherAccount)],
            h.DeadLetters.ReadValuesToListOf().Select(d => d.errorType));
        Assert.Equal(2, h.Settlements.ReadValuesToListOf().Count); // the two PENDINGs, nothing else
    }
}
