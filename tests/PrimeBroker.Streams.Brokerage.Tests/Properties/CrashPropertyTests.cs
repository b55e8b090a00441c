using FsCheck.Xunit;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Brokerage.Tests.Properties;

/// <summary>
/// The same property on three partitions, on an emulated embedded cluster (readers see aborted records, transactional
/// offset commits are lost), with a crash at a random point of each stream (between records, before or after the Kafka
/// commit; with or without wiping local state): the final state equals the run without a crash, and both equal the
/// oracle.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class CrashPropertyTests(RegistryFixture fixture)
{
    private static readonly TopologyTestDriverOptions s_driver = new()
    {
        DefaultPartitions = 3,
        EmulateEmbeddedClusterLimits = true,
        AutoCommit = false,
    };

    [Property(MaxTest = 200, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void ACrashMidStreamEndsInTheSameStateAsNoCrash(Scenario scenario)
    {
        var logical = ScenarioStream.LogicalEvents(scenario);
        var deliveries = ScenarioStream.Deliveries(scenario, logical);
        RunResult clean = ScenarioRun.Run(fixture, scenario, deliveries, s_driver, crash: false);
        RunResult crashed = ScenarioRun.Run(fixture, scenario, deliveries, s_driver, crash: true);

        string context = $"\nscenario:\n{scenario}";
        Assert.True(clean.Positions.OrderBy(p => p.Key).SequenceEqual(crashed.Positions.OrderBy(p => p.Key)), $"positions differ after the crash{context}");
        // Gap alerts follow the wall clock, which moves on while the records after the last commit are processed again.
        Assert.True(clean.Counters with { DeadLettered = crashed.Counters.DeadLettered, GapsAlerted = crashed.Counters.GapsAlerted } == crashed.Counters
            && clean.Counters.DeadLettered.OrderBy(d => d.Key).SequenceEqual(crashed.Counters.DeadLettered.OrderBy(d => d.Key)),
            $"counters differ after the crash: {clean.Counters} vs {crashed.Counters}{context}");
        Assert.True(clean.ExpectedSequences.OrderBy(e => e.Key).SequenceEqual(crashed.ExpectedSequences.OrderBy(e => e.Key)), $"sequences differ{context}");
        Assert.Equal(
            clean.Ledger.Select(l => (l.Entry.ledgerEntryId, Contracts.Money.FromAvro(l.Entry.debitEntry.amount), l.Entry.debitEntry.account)).Order(),
            crashed.Ledger.Select(l => (l.Entry.ledgerEntryId, Contracts.Money.FromAvro(l.Entry.debitEntry.amount), l.Entry.debitEntry.account)).Order());
        Assert.Equal(clean.DeadLetters, crashed.DeadLetters);

        ScenarioRun.Verify(scenario, logical, deliveries, Oracle.Run(ScenarioStream.ProcessedEvents(scenario, logical), ScenarioStream.Instruments), crashed);
    }
}
