using System.Text;
using Avro.Specific;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Brokerage.Tests.Properties;

/// <summary>What a run of a scenario through the topology ends with.</summary>
public sealed record RunResult(
    IReadOnlyDictionary<(string Account, string Instrument), (decimal Quantity, decimal AverageCost, decimal Realized)> Positions,
    BrokerageCounters Counters,
    IReadOnlyDictionary<string, long> ExpectedSequences,
    IReadOnlyList<SequenceGap> OpenGaps,
    IReadOnlyList<(string Account, LedgerEntryCreated Entry)> Ledger,
    int DeadLetters);

/// <summary>Runs a scenario through the test driver and checks it against the oracle.</summary>
public static class ScenarioRun
{
    /// <summary>Pipes every delivery; with <paramref name="crash"/>, simulates the scenario's crash before the delivery at
    /// its crash index. Without auto-commit, commits every <see cref="Scenario.CommitEvery"/> records and at the end.
    /// Outputs are read deduplicated (by ledger entry id and by dead letter source), as a consumer that sees aborted
    /// records on the embedded cluster must.</summary>
    public static RunResult Run(RegistryFixture fixture, Scenario scenario, IReadOnlyList<Delivery> deliveries, TopologyTestDriverOptions driverOptions, bool crash)
    {
        using var h = new BrokerageHarness(fixture, driverOptions: driverOptions, withInstruments: false);
        foreach (var (id, currency) in ScenarioStream.Instruments)
        {
            h.AddInstrument(Events.Instrument(id, currency, 100m));
        }

        int crashAt = scenario.CrashAt % Math.Max(1, deliveries.Count);
        for (int i = 0; i < deliveries.Count; i++)
        {
            if (crash && i == crashAt)
            {
                h.Driver.SimulateCrash((CrashPoint)scenario.CrashPoint, scenario.WipeLocalState);
            }

            Delivery d = deliveries[i];
            if (d.Record is null)
            {
                h.SendRaw(Encoding.UTF8.GetBytes(d.Account), d.Raw);
            }
            else
            {
                h.Send(d.Record, d.Account);
            }

            if (!driverOptions.AutoCommit && (i + 1) % scenario.CommitEvery == 0)
            {
                h.Driver.Commit();
            }
        }

        h.Driver.Commit();

        var positions = new Dictionary<(string, string), (decimal, decimal, decimal)>();
        var expected = new Dictionary<string, long>();
        for (int a = 0; a < scenario.Accounts.Count; a++)
        {
            string account = ScenarioStream.AccountId(a);
            expected[account] = h.Queries.ExpectedSequenceOf(account);
            foreach (Position p in h.Queries.PositionsOf(account))
            {
                positions[(account, p.InstrumentId)] = (p.Quantity, p.AverageCost, p.RealizedPnl);
            }
        }

        var ledger = new Dictionary<string, (string, LedgerEntryCreated)>();
        foreach (var r in h.Ledger.ReadRecordsToList())
        {
            if (ledger.TryGetValue(r.Value.ledgerEntryId, out var seen))
            {
                // A repeat (from an aborted transaction the emulated cluster shows) must be the same entry.
                Assert.Equal(Describe(seen.Item2), Describe(r.Value));
            }

            ledger[r.Value.ledgerEntryId] = (r.Key, r.Value);
        }

        int deadLetters = h.DeadLetters.ReadValuesToListOf().Select(d => (d.sourcePartition, d.sourceOffset)).Distinct().Count();
        return new RunResult(positions, h.Queries.Counters, expected, h.Queries.OpenGaps(), [.. ledger.Values], deadLetters);
    }

    /// <summary>Checks a run against the oracle: positions exactly, ledger balance per entry and per currency, cash per
    /// (account, currency), no idempotency key applied twice, counters, and every gap filled.</summary>
    public static void Verify(Scenario scenario, IReadOnlyList<IReadOnlyList<ISpecificRecord>> logical, IReadOnlyList<Delivery> deliveries, Oracle oracle, RunResult run)
    {
        string context = $"\nscenario:\n{scenario}";

        Assert.True(oracle.Positions.Count == run.Positions.Count, $"positions: oracle {oracle.Positions.Count}, topology {run.Positions.Count}{context}");
        foreach (var (key, want) in oracle.Positions)
        {
            Assert.True(run.Positions.TryGetValue(key, out var got), $"no position {key}{context}");
            Assert.True(want == got, $"position {key}: oracle {want}, topology {got}{context}");
        }

        foreach (var (_, e) in run.Ledger)
        {
            Assert.True(Money.FromAvro(e.debitEntry.amount) == Money.FromAvro(e.creditEntry.amount) && e.debitEntry.currency == e.creditEntry.currency,
                $"ledger entry {e.ledgerEntryId} does not balance{context}");
        }

        foreach (var byCurrency in run.Ledger.GroupBy(l => l.Entry.debitEntry.currency))
        {
            decimal debits = byCurrency.Sum(l => Money.FromAvro(l.Entry.debitEntry.amount));
            decimal credits = byCurrency.Sum(l => Money.FromAvro(l.Entry.creditEntry.amount));
            Assert.True(debits == credits, $"{byCurrency.Key}: debits {debits} != credits {credits}{context}");
        }

        var cash = new Dictionary<(string, string), decimal>();
        foreach (var (account, e) in run.Ledger)
        {
            decimal amount = Money.FromAvro(e.debitEntry.amount);
            if (e.debitEntry.account.Contains(":CASH:", StringComparison.Ordinal))
            {
                cash[(account, e.debitEntry.currency)] = cash.GetValueOrDefault((account, e.debitEntry.currency)) + amount;
            }

            if (e.creditEntry.account.Contains(":CASH:", StringComparison.Ordinal))
            {
                cash[(account, e.creditEntry.currency)] = cash.GetValueOrDefault((account, e.creditEntry.currency)) - amount;
            }
        }

        foreach (var key in oracle.Cash.Keys.Union(cash.Keys))
        {
            Assert.True(oracle.Cash.GetValueOrDefault(key) == cash.GetValueOrDefault(key),
                $"cash {key}: oracle {oracle.Cash.GetValueOrDefault(key)}, ledger {cash.GetValueOrDefault(key)}{context}");
        }

        Assert.True(oracle.Effects == run.Ledger.Count, $"ledger entries: oracle {oracle.Effects}, topology {run.Ledger.Count}{context}");

        // No idempotency key applied twice: map every applied event (account, sequence) back to its key.
        var keyOf = logical.SelectMany(events => events).ToDictionary(e => (AccountOf(e), SequenceOf(e)), IdempotencyKeyOf);
        var appliedKeys = run.Ledger.Select(l => (l.Account, l.Entry.sequenceNumber)).Distinct().Select(a => (a.Account, keyOf[a])).ToList();
        Assert.True(appliedKeys.Count == appliedKeys.Distinct().Count(), $"an idempotency key was applied twice{context}");
        Assert.True(oracle.Applied == appliedKeys.Count, $"applied events: oracle {oracle.Applied}, ledger shows {appliedKeys.Count}{context}");

        int garbage = deliveries.Count(d => d.Record is null);
        int redundant = deliveries.Count(d => d.Record is not null) - logical.Sum(events => events.Count);
        BrokerageCounters c = run.Counters;
        Assert.True(oracle.Applied == c.Applied, $"applied: oracle {oracle.Applied}, counters {c.Applied}{context}");
        Assert.True(oracle.IdempotencySkipped == c.IdempotencySkipped, $"idempotency skips: oracle {oracle.IdempotencySkipped}, counters {c.IdempotencySkipped}{context}");
        Assert.True(redundant == c.DuplicatesSkipped, $"duplicates: delivered {redundant} extra, counters {c.DuplicatesSkipped}{context}");
        Assert.True(oracle.Rejected + garbage == c.DeadLetteredTotal, $"dead letters: oracle {oracle.Rejected} + {garbage} corrupt, counters {c.DeadLetteredTotal}{context}");
        Assert.True(oracle.Rejected + garbage == run.DeadLetters, $"dead letters: oracle {oracle.Rejected} + {garbage} corrupt, topic {run.DeadLetters}{context}");
        Assert.True(run.OpenGaps.Count == 0 && c.HeldNow == 0, $"gaps left open: {string.Join(", ", run.OpenGaps)}{context}");
        for (int a = 0; a < logical.Count; a++)
        {
            Assert.True(run.ExpectedSequences[ScenarioStream.AccountId(a)] == logical[a].Count + 1, $"account A{a} expects {run.ExpectedSequences[ScenarioStream.AccountId(a)]}{context}");
        }
    }

    public static string AccountOf(ISpecificRecord e) => Events.AccountOf(e);

    private static long SequenceOf(ISpecificRecord e) => e switch
    {
        TradeCreated c => c.sequenceNumber,
        TradeAmended m => m.sequenceNumber,
        TradeCancelled x => x.sequenceNumber,
        _ => throw new ArgumentException(e.GetType().Name),
    };

    private static string IdempotencyKeyOf(ISpecificRecord e) => e switch
    {
        TradeCreated c => c.idempotencyKey,
        TradeAmended m => m.idempotencyKey,
        TradeCancelled x => x.idempotencyKey,
        _ => throw new ArgumentException(e.GetType().Name),
    };

    private static string Describe(LedgerEntryCreated e) =>
        $"{e.ledgerEntryId} {e.debitEntry.account} {Money.FromAvro(e.debitEntry.amount)} {e.creditEntry.account} {Money.FromAvro(e.creditEntry.amount)} {e.sequenceNumber}";
}
