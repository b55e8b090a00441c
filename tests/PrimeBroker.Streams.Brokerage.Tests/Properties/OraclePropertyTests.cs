using FsCheck.Xunit;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Brokerage.Tests.Properties;

/// <summary>
/// The topology equals an independent oracle on generated streams: several accounts, instruments and currencies, with
/// duplicates, re-sequenced retries, reorderings within an account (gaps that fill), invalid events, corrupt records,
/// amends and cancels.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class OraclePropertyTests(RegistryFixture fixture)
{
    [Property(MaxTest = 200, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void PositionsLedgerAndCountersEqualTheOracle(Scenario scenario)
    {
        var logical = ScenarioStream.LogicalEvents(scenario);
        var deliveries = ScenarioStream.Deliveries(scenario, logical);
        RunResult run = ScenarioRun.Run(fixture, scenario, deliveries, new TopologyTestDriverOptions(), crash: false);

        ScenarioRun.Verify(scenario, logical, deliveries, Oracle.Run(ScenarioStream.ProcessedEvents(scenario, logical), ScenarioStream.Instruments), run);
    }
}
