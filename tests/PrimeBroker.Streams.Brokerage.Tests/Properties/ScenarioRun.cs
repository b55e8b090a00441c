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
        // Spread scenarios date events up to 12 days after Events.Monday: the wall clock starts after all of them and
        // advances as the stream is delivered, so wall-clock punctuators (expiry, gap checks) run between records.
        using var h = new BrokerageHarness(fixture, driverOptions: driverOptions, withInstruments: false,
            wallClockStart: scenario.SpreadTime ? new DateTimeOffset(Events.Monday.AddDays(20), TimeSpan.Zero) : null);
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

            if (scenario.SpreadTime && (i + 1) % 3 == 0)
            {
                h.Driver.AdvanceWallClockTime(TimeSpan.FromMinutes(1));
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

    /// <summary>Checks a run against the oracle: positions exactly, every ledger entry balanced, the balance of every
    /// ledger account (securities, cash, realized P&amp;L) per currency, no idempotency key applied twice, counters, the
    /// gaps left open (only the unresolved permanent ones) and each account's next expected number.</summary>
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

        var balances = new Dictionary<(string, string), decimal>();
        foreach (var (_, e) in run.Ledger)
        {
            balances[(e.debitEntry.account, e.debitEntry.currency)] = balances.GetValueOrDefault((e.debitEntry.account, e.debitEntry.currency)) + Money.FromAvro(e.debitEntry.amount);
            balances[(e.creditEntry.account, e.creditEntry.currency)] = balances.GetValueOrDefault((e.creditEntry.account, e.creditEntry.currency)) - Money.FromAvro(e.creditEntry.amount);
        }

        foreach (var key in oracle.Ledger.Keys.Union(balances.Keys))
        {
            Assert.True(oracle.Ledger.GetValueOrDefault(key) == balances.GetValueOrDefault(key),
                $"ledger account {key}: oracle {oracle.Ledger.GetValueOrDefault(key)}, ledger {balances.GetValueOrDefault(key)}{context}");
        }

        Assert.True(oracle.Effects == run.Ledger.Count, $"ledger entries: oracle {oracle.Effects}, topology {run.Ledger.Count}{context}");

        // No idempotency key applied twice: map every applied event (account, sequence) back to its key.
        var keyOf = logical.SelectMany(events => events).ToDictionary(e => (AccountOf(e), SequenceOf(e)), IdempotencyKeyOf);
        var appliedKeys = run.Ledger.Select(l => (l.Account, l.Entry.sequenceNumber)).Distinct().Select(a => (a.Account, keyOf[a])).ToList();
        Assert.True(appliedKeys.Count == appliedKeys.Distinct().Count(), $"an idempotency key was applied twice{context}");
        Assert.True(oracle.Applied == appliedKeys.Count, $"applied events: oracle {oracle.Applied}, ledger shows {appliedKeys.Count}{context}");

        int garbage = deliveries.Count(d => d.Record is null);
        int conflicts = deliveries.Count(d => d.Conflict);
        int delivered = deliveries.Count(d => d.Record is not null and not ResolveSequenceGap && !d.Conflict);
        int redundant = delivered - scenario.Accounts.Select((a, i) => logical[i].Count - (a.LostAt >= 0 ? 1 : 0)).Sum();
        BrokerageCounters c = run.Counters;
        Assert.True(oracle.Applied == c.Applied, $"applied: oracle {oracle.Applied}, counters {c.Applied}{context}");
        Assert.True(oracle.IdempotencySkipped == c.IdempotencySkipped, $"idempotency skips: oracle {oracle.IdempotencySkipped}, counters {c.IdempotencySkipped}{context}");
        Assert.True(redundant == c.DuplicatesSkipped, $"duplicates: delivered {redundant} extra, counters {c.DuplicatesSkipped}{context}");
        Assert.True(conflicts == c.DeadLettered.GetValueOrDefault(DeadLetterReason.ConflictingSequenceNumber),
            $"conflicting numbers: delivered {conflicts}, counters {c.DeadLettered.GetValueOrDefault(DeadLetterReason.ConflictingSequenceNumber)}{context}");
        Assert.True(oracle.ConflictingKeys == c.DeadLettered.GetValueOrDefault(DeadLetterReason.ConflictingIdempotencyKey),
            $"conflicting keys: oracle {oracle.ConflictingKeys}, counters {c.DeadLettered.GetValueOrDefault(DeadLetterReason.ConflictingIdempotencyKey)}{context}");
        Assert.True(oracle.Rejected + garbage + conflicts == c.DeadLetteredTotal, $"dead letters: oracle {oracle.Rejected} + {garbage} corrupt + {conflicts} conflicts, counters {c.DeadLetteredTotal}{context}");
        Assert.True(oracle.Rejected + garbage + conflicts == run.DeadLetters, $"dead letters: oracle {oracle.Rejected} + {garbage} corrupt + {conflicts} conflicts, topic {run.DeadLetters}{context}");

        var open = scenario.Accounts.Select((a, i) => (a, i)).Where(x => x.a.GapAt >= 0 && !x.a.Resolve).ToList();
        Assert.True(open.Select(x => ScenarioStream.AccountId(x.i)).SequenceEqual(run.OpenGaps.Select(g => g.AccountId).Order(StringComparer.Ordinal)),
            $"gaps left open: {string.Join(", ", run.OpenGaps)}{context}");
        long held = open.Sum(x => x.a.Steps.Count - x.a.LostAt - 1);
        Assert.True(held == c.HeldNow, $"held now: expected {held}, counters {c.HeldNow}{context}");
        for (int a = 0; a < logical.Count; a++)
        {
            AccountScript script = scenario.Accounts[a];
            long next = script.LostAt >= 0 && !(script.Resolve && script.GapAt >= 0) ? script.LostAt + 1 : logical[a].Count + 1;
            Assert.True(run.ExpectedSequences[ScenarioStream.AccountId(a)] == next, $"account A{a} expects {run.ExpectedSequences[ScenarioStream.AccountId(a)]}, not {next}{context}");
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
