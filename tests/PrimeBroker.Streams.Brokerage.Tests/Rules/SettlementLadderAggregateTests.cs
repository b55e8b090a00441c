using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// The settlement ladder is a running aggregate (<see cref="BrokerageStores.SettlementLadder"/>) kept by the writers of
/// the trades store. After seeded random streams of books, amends (amounts changed, re-dated when the amend is dated
/// after the settlement date), cancels, settlement confirmations of every outcome (invalid ones dead-lettered) and wall
/// clock steps that expire trades, the ladder query equals a ladder summed here from the trades store itself, by this
/// test's own reading of the rules (cancelled: nothing; PENDING or FAILED: counted and paying or receiving the notional
/// by side; SETTLED: counted only).
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class SettlementLadderAggregateTests(RegistryFixture fixture)
{
    private static readonly string[] s_accounts = ["ACC-1", "ACC-2", "ACC-3"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void TheLadderEqualsTheTradesItSumsAfterARandomStream(int seed)
    {
        var random = new Random(seed);
        using var h = new BrokerageHarness(fixture, o => o with { TradeRetentionAfterSettlement = TimeSpan.FromDays(2), TradeExpiryInterval = TimeSpan.FromMinutes(10) });
        DateTimeOffset wallClock = BrokerageHarness.WallClockStart;
        var sequences = new Dictionary<string, long>();
        var booked = new List<(string Account, string TradeId)>();
        var moves = new Dictionary<string, int>();
        int commands = 0;
        var statusesSeen = new HashSet<SettlementStatus>();
        for (int step = 0; step < 400; step++)
        {
            // Events are dated up to a day behind the wall clock, so amends can come after a settlement date.
            DateTime time = wallClock.UtcDateTime.AddMinutes(-random.Next(0, 24 * 60));
            string account = s_accounts[random.Next(s_accounts.Length)];
            int roll = random.Next(100);
            var mine = booked.Where(t => t.Account == account).ToList();
            if (roll < 40 || mine.Count == 0)
            {
                string tradeId = $"T-{step:D4}";
                bool usd = random.Next(2) == 0;
                h.Send(Events.Created(account, Next(sequences, account), tradeId, instrument: usd ? "AAPL" : "VOD", currency: usd ? "USD" : "GBP",
                    side: random.Next(2) == 0 ? TradeSide.BUY : TradeSide.SELL, quantity: random.Next(1, 500), price: random.Next(1, 10_000) / 100m, time: time));
                booked.Add((account, tradeId));
                Count(moves, "book");
            }
            else if (roll < 60)
            {
                h.Send(Events.Amended(account, Next(sequences, account), mine[random.Next(mine.Count)].TradeId, random.Next(1, 500), random.Next(1, 10_000) / 100m, time: time));
                Count(moves, "amend");
            }
            else if (roll < 67)
            {
                h.Send(Events.Cancelled(account, Next(sequences, account), mine[random.Next(mine.Count)].TradeId, time: time));
                Count(moves, "cancel");
            }
            else if (roll < 95)
            {
                SettlementOutcome outcome = random.Next(10) switch { < 5 => SettlementOutcome.FAILED, < 9 => SettlementOutcome.SETTLED, _ => SettlementOutcome.UNKNOWN };
                // Now and then a command id already applied: a repeat, applied once.
                string commandId = commands > 0 && random.Next(10) == 0 ? $"cmd-{random.Next(commands)}" : $"cmd-{commands++}";
                h.Send(Events.Confirm(account, mine[random.Next(mine.Count)].TradeId, outcome, commandId, time));
                Count(moves, "confirm");
            }
            else
            {
                TimeSpan advance = TimeSpan.FromHours(random.Next(6, 36));
                wallClock += advance;
                h.Driver.AdvanceWallClockTime(advance);
                Count(moves, "clock");
            }

            if (step % 20 == 19)
            {
                statusesSeen.UnionWith(AssertLadderEqualsTrades(h, step));
            }
        }

        statusesSeen.UnionWith(AssertLadderEqualsTrades(h, 400));
        // The stream exercised what it is meant to: every status on the ladder's checks, re-dated amends and expiry.
        Assert.Equal(Enum.GetValues<SettlementStatus>().Order(), statusesSeen.Order());
        long kept = h.Driver.GetKeyValueStore<string, TradeState>(BrokerageStores.Trades).ApproximateNumEntries;
        Assert.True(kept < moves["book"], $"no trade expired: {kept} kept of {moves["book"]} booked");
        Assert.True(h.Settlements.ReadValuesToListOf().GroupBy(s => s.tradeId).Any(g => g.Select(s => s.settlementDate).Distinct().Count() > 1),
            "no amend re-dated a settlement");
    }

    /// <summary>Asserts the ladder against the trades store; returns the statuses of the trades it summed.</summary>
    private static HashSet<SettlementStatus> AssertLadderEqualsTrades(BrokerageHarness h, int step)
    {
        var statuses = new HashSet<SettlementStatus>();
        var expected = new SortedDictionary<(DateOnly, string), SettlementLadderRow>();
        foreach (var (_, trade) in h.Driver.GetKeyValueStore<string, TradeState>(BrokerageStores.Trades).All())
        {
            statuses.Add(trade.Status);
            if (trade.Cancelled)
            {
                continue;
            }

            bool settled = trade.Outcome == SettlementStatus.SETTLED;
            decimal notional = settled ? 0m : MoneyMath.Notional(trade.Quantity, trade.Price);
            var row = new SettlementLadderRow(trade.SettlementDate, trade.Currency, trade.Outcome is null ? 1 : 0, trade.Outcome == SettlementStatus.FAILED ? 1 : 0,
                settled ? 1 : 0, trade.Side == TradeSide.BUY ? notional : 0m, trade.Side == TradeSide.SELL ? notional : 0m);
            var key = (trade.SettlementDate, trade.Currency);
            expected[key] = expected.TryGetValue(key, out SettlementLadderRow? sum) ? sum.Add(row) : row;
        }

        var actual = h.Queries.SettlementLadder(DateOnly.MinValue);
        Assert.True(expected.Values.SequenceEqual(actual),
            $"After step {step}: expected [{string.Join("; ", expected.Values)}] but the ladder is [{string.Join("; ", actual)}]");
        // A range from a later date reads only its rungs.
        if (expected.Count > 1)
        {
            DateOnly from = expected.Keys.ElementAt(expected.Count / 2).Item1;
            Assert.Equal(expected.Values.Where(r => r.ValueDate >= from), h.Queries.SettlementLadder(from));
        }

        return statuses;
    }

    private static long Next(Dictionary<string, long> sequences, string account) => sequences[account] = sequences.GetValueOrDefault(account) + 1;

    private static void Count(Dictionary<string, int> moves, string move) => moves[move] = moves.GetValueOrDefault(move) + 1;
}
