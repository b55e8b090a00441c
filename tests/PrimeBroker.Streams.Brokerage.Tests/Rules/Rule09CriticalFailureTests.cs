using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Engine.Errors;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>Rule 9: only a broken invariant of our own state stops the task, without committing past the record, with a
/// critical failure that makes the application unhealthy; input that the books cannot take is dead-lettered and the
/// partition goes on. (The held-event age case is also in <see cref="Rule03SequenceTests"/>.)</summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule09CriticalFailureTests(RegistryFixture fixture)
{
    [Fact]
    public void APositionBeyondTheContractRangeIsDeadLetteredAndThePartitionGoesOn()
    {
        using var h = new BrokerageHarness(fixture);
        // Each trade is valid (notional 9 × 10^19 fits decimal(28,8)); their sum as a position does not.
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 90_000_000_000_000_000_000m, price: 1m));
        h.Ledger.ReadRecordsToList();
        h.Positions.ReadRecordsToList();
        h.Settlements.ReadRecordsToList();

        h.Send(Events.Created("ACC-1", 2, "T-2", quantity: 90_000_000_000_000_000_000m, price: 1m));

        Assert.Equal(nameof(DeadLetterReason.PositionOutOfRange), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
        Assert.True(h.Health.IsHealthy);
        // Nothing of the refused record was booked: no ledger, settlement or position output.
        Assert.True(h.Ledger.IsEmpty);
        Assert.True(h.Settlements.IsEmpty);
        Assert.True(h.Positions.IsEmpty);
        h.Send(Events.Created("ACC-1", 3, "T-3", side: Contracts.TradeSide.SELL, quantity: 1m, price: 1m));
        Assert.Equal(89_999_999_999_999_999_999m, h.Position("ACC-1", "AAPL").Quantity);
    }

    [Fact]
    public void AfterRestartTheFailedRecordIsProcessedAgainAndStopsAgainNeverSkipped()
    {
        using var h = new BrokerageHarness(fixture, o => o with { HeldEventMaxAge = TimeSpan.FromMinutes(10) });
        h.Send(Events.Created("ACC-1", 2, "T-2"));
        var failure = Assert.Throws<TaskFailedException>(() => h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(11)));
        Assert.IsType<BrokerageInvariantException>(failure.InnerException);
        Assert.False(h.Health.IsHealthy);

        Assert.Throws<TaskFailedException>(() => { h.Driver.SimulateCrash(); h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(1)); });
        Assert.Equal(2, h.Health.CriticalFailures.Count);
        Assert.Equal(2, h.Queries.GapOf("ACC-1")!.FirstHeldSequence);
    }
}
