using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Engine.Errors;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>Rule 9: a broken invariant stops the task without committing past the record, raises a critical failure and
/// makes the application unhealthy. (The held-event age case is in <see cref="Rule03SequenceTests"/>.)</summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule09CriticalFailureTests(RegistryFixture fixture)
{
    [Fact]
    public void PositionArithmeticBeyondTheContractRangeStopsTheTaskAndCommitsNothingOfTheRecord()
    {
        using var h = new BrokerageHarness(fixture);
        // Each trade is valid (notional 9 × 10^19 fits decimal(28,8)); their sum as a position does not.
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 90_000_000_000_000_000_000m, price: 1m));
        h.Ledger.ReadRecordsToList();
        h.Positions.ReadRecordsToList();
        h.Settlements.ReadRecordsToList();

        var failure = Assert.Throws<TaskFailedException>(() => h.Send(Events.Created("ACC-1", 2, "T-2", quantity: 90_000_000_000_000_000_000m, price: 1m)));

        Assert.IsType<BrokerageInvariantException>(failure.InnerException);
        Assert.False(h.Health.IsHealthy);
        Assert.Contains("invariant", Assert.Single(h.Health.CriticalFailures).Message);
        // Nothing of the failed record was committed: no ledger, settlement or position output.
        Assert.True(h.Ledger.IsEmpty);
        Assert.True(h.Settlements.IsEmpty);
        Assert.True(h.Positions.IsEmpty);
    }

    [Fact]
    public void AfterRestartTheFailedRecordIsProcessedAgainAndStopsAgainNeverSkipped()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 90_000_000_000_000_000_000m, price: 1m));
        Assert.Throws<TaskFailedException>(() => h.Send(Events.Created("ACC-1", 2, "T-2", quantity: 90_000_000_000_000_000_000m, price: 1m)));

        Assert.Throws<TaskFailedException>(() => h.Driver.SimulateCrash());
        Assert.Equal(2, h.Health.CriticalFailures.Count);
        Assert.Equal(90_000_000_000_000_000_000m, h.Position("ACC-1", "AAPL").Quantity);
    }
}
