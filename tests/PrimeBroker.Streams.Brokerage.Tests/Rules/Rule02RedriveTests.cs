using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Issue 18, finding 9: a record dead-lettered before sequencing because the registry stayed down cannot say its
/// sequence number, but its key says its account. The account is marked as awaiting the re-drive of that record (its
/// dead letter's partition and offset), the gap alert says which record to re-drive, and a re-drive of the original
/// record (its own number inside) fills exactly its place. If an operator skipped the number meanwhile, the re-drive is
/// dead-lettered, never dropped.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule02RedriveTests(RegistryFixture fixture)
{
    [Fact]
    public void TheGapAlertNamesTheRecordToReDriveAndAReDriveAsIsFillsExactlyItsPlace()
    {
        using var h = new BrokerageHarness(fixture, registryBeforeStart: r => r.Down = true);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m)); // offset 0: the registry is down
        h.Registry.Down = false;
        h.Send(Events.Created("ACC-1", 2, "T-2", quantity: 100m, price: 20m), Events.Created("ACC-1", 3, "T-3", side: TradeSide.SELL, quantity: 150m, price: 30m));

        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.SchemaRegistryUnavailable), dead.errorType);
        BrokerageAlert exhausted = Assert.Single(h.Alerts.ReadValuesToListOf());
        Assert.Equal(AlertKind.REGISTRY_RETRIES_EXHAUSTED, exhausted.kind);
        Assert.Equal("ACC-1", exhausted.accountId); // the record key names the account
        Assert.Equal("0:0", exhausted.details["awaitingRedrive"]);
        Assert.Contains("re-drive it as is", exhausted.message);
        Assert.Contains("trade-events 0:0", exhausted.message);
        Assert.Equal(["0:0"], h.Queries.GapOf("ACC-1")!.AwaitingRedrive);

        h.Driver.AdvanceWallClockTime(TimeSpan.FromSeconds(31));
        BrokerageAlert gapAlert = Assert.Single(h.Alerts.ReadValuesToListOf());
        Assert.Equal(AlertKind.SEQUENCE_GAP_OPEN, gapAlert.kind);
        Assert.Equal("0:0", gapAlert.details["awaitingRedrive"]);
        Assert.Contains("trade-events 0:0", gapAlert.message);

        // The re-drive republishes the original record, its number inside: it fills 1 and releases 2 and 3 in order.
        h.SendRaw(dead.originalKey, dead.originalValue);
        Assert.Null(h.Queries.GapOf("ACC-1"));
        Assert.Equal(4, h.Queries.ExpectedSequenceOf("ACC-1"));
        Assert.Equal([1L, 2, 3], h.Positions.ReadValuesToListOf().Select(p => p.sequenceNumber));
        Position position = h.Position("ACC-1", "AAPL");
        Assert.Equal((50m, 15m, 2_250m), (position.Quantity, position.AverageCost, position.RealizedPnl)); // in its original order
        Assert.True(h.DeadLetters.IsEmpty);

        // Re-driven once more: an exact resend, counted.
        h.SendRaw(dead.originalKey, dead.originalValue);
        Assert.Equal(1, h.Queries.Counters.DuplicatesSkipped);
        Assert.True(h.DeadLetters.IsEmpty);
    }

    [Fact]
    public void AnAccountThatTradedBeforeItsRecordWasDeadLetteredUndecodedStillRecognisesTheReDrive()
    {
        // The first event finds the account without marks (the decoder then stops scanning for it); the mark put for
        // the undecodable amend (its writer schema not yet fetched, the registry down) must make it look again.
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m));
        h.Registry.Down = true;
        h.Send(Events.Amended("ACC-1", 2, "T-1", quantity: 120m, price: 10m)); // offset 1: undecodable now
        h.Registry.Down = false;
        h.Send(Events.Created("ACC-1", 3, "T-3", quantity: 10m, price: 30m));
        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.SchemaRegistryUnavailable), dead.errorType);
        Assert.Equal(["0:1"], h.Queries.GapOf("ACC-1")!.AwaitingRedrive);

        h.SendRaw(dead.originalKey, dead.originalValue);
        Assert.Null(h.Queries.GapOf("ACC-1"));
        Assert.Equal([1L, 2, 3], h.Positions.ReadValuesToListOf().Select(p => p.sequenceNumber));
        Assert.True(h.DeadLetters.IsEmpty);
        // The re-drive took its mark away: the account's next gap names nothing to re-drive.
        h.Send(Events.Created("ACC-1", 5, "T-5"));
        Assert.Empty(h.Queries.GapOf("ACC-1")!.AwaitingRedrive);
    }

    [Fact]
    public void AReDriveOfANumberTheOperatorSkippedIsDeadLetteredNotDropped()
    {
        using var h = new BrokerageHarness(fixture, registryBeforeStart: r => r.Down = true);
        h.Send(Events.Created("ACC-1", 1, "T-1"));
        h.Registry.Down = false;
        h.Send(Events.Created("ACC-1", 2, "T-2"), Events.ResolveGap("ACC-1", expectedSequence: 1));
        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());

        h.SendRaw(dead.originalKey, dead.originalValue);

        FailedTradeEvent again = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.RedrivenNumberSkipped), again.errorType);
        Assert.Contains("re-drive", again.errorMessage);
        Assert.Equal(0, h.Queries.Counters.DuplicatesSkipped);
        Assert.Equal(100m, h.Position("ACC-1", "AAPL").Quantity); // T-2 only, until the dead letter is re-driven with a new number
    }

    [Fact]
    public void ARecordWhoseKeyIsNoAccountIsDeadLetteredWithoutAMark()
    {
        using var h = new BrokerageHarness(fixture, registryBeforeStart: r => r.Down = true);
        h.Send(Events.Created("ACC-1", 1, "T-1"), key: "\u0001");

        Assert.Equal(nameof(DeadLetterReason.SchemaRegistryUnavailable), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.Null(Assert.Single(h.Alerts.ReadValuesToListOf()).accountId);
    }
}
