using System.Globalization;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Issue 18, finding 10: an open gap reports since when it is open and how long its events have been held with times
/// that survive a failover (the Kafka timestamps of the records that opened it and that are held, kept in the gap
/// state), not the time the new owner reprocessed them.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule03GapAfterFailoverTests(RegistryFixture fixture)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AGapReprocessedAfterAFailoverKeepsItsOpenSinceAndReportsHowLongEventsAreHeld(bool wipeLocalState)
    {
        using var h = new BrokerageHarness(fixture, driverOptions: new TopologyTestDriverOptions { AutoCommit = false });
        h.Send(Events.Created("ACC-1", 1, "T-1"));
        h.Driver.Commit();
        DateTimeOffset producedAt = BrokerageHarness.WallClockStart.AddSeconds(5);
        h.SendAt(Events.Created("ACC-1", 3, "T-3"), producedAt);

        // The owner dies before committing; another instance takes over ten minutes later and processes record 3 again.
        h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(10));
        h.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState);

        SequenceGap gap = h.Queries.GapOf("ACC-1")!;
        Assert.Equal(producedAt, gap.OpenSince);
        Assert.Equal(producedAt, gap.OldestHeldSince);
        DateTimeOffset now = BrokerageHarness.WallClockStart.AddMinutes(10);
        Assert.Equal(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(5), gap.HeldFor(now));

        h.Driver.AdvanceWallClockTime(TimeSpan.FromSeconds(31));
        h.Driver.Commit();
        BrokerageAlert alert = Assert.Single(h.Alerts.ReadValuesToListOf(), a => a.kind == AlertKind.SEQUENCE_GAP_OPEN);
        Assert.Equal(producedAt.ToString("o", CultureInfo.InvariantCulture), alert.details["openSince"]);
        Assert.Equal(producedAt.ToString("o", CultureInfo.InvariantCulture), alert.details["oldestHeldSince"]);
        Assert.Equal("626", alert.details["heldForSeconds"]); // 10 min + 31 s − 5 s
        Assert.Contains("held for 00:10:26", alert.message);
    }

    [Fact]
    public void AGapThatMovesIsOpenSinceTheRecordThatMovedIt()
    {
        using var h = new BrokerageHarness(fixture);
        h.SendAt(Events.Created("ACC-1", 2, "T-2"), BrokerageHarness.WallClockStart.AddSeconds(-60));
        h.SendAt(Events.Created("ACC-1", 5, "T-5"), BrokerageHarness.WallClockStart.AddSeconds(-50));
        h.Driver.AdvanceWallClockTime(TimeSpan.FromSeconds(20));
        h.SendAt(Events.Created("ACC-1", 1, "T-1"), BrokerageHarness.WallClockStart.AddSeconds(15));

        SequenceGap gap = h.Queries.GapOf("ACC-1")!;
        Assert.Equal((3L, 5L), (gap.ExpectedSequence, gap.FirstHeldSequence));
        Assert.Equal(BrokerageHarness.WallClockStart.AddSeconds(15), gap.OpenSince);
        Assert.Equal(BrokerageHarness.WallClockStart.AddSeconds(-50), gap.OldestHeldSince);
    }

    [Fact]
    public void ARecordTimeAheadOfTheWallClockCountsAsNow()
    {
        using var h = new BrokerageHarness(fixture);
        h.SendAt(Events.Created("ACC-1", 2, "T-2"), BrokerageHarness.WallClockStart.AddDays(3));

        SequenceGap gap = h.Queries.GapOf("ACC-1")!;
        Assert.Equal(BrokerageHarness.WallClockStart, gap.OpenSince);
        Assert.Equal(BrokerageHarness.WallClockStart, gap.OldestHeldSince);
    }
}
