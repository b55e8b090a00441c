using System.Diagnostics;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Testing;
using Xunit.Abstractions;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Measures what the settlement ladder costs (<see cref="BrokerageQueries.SettlementLadder"/>): it reads the running
/// totals of <see cref="BrokerageStores.SettlementLadder"/> from the first value date, one row per (date, currency) and
/// task, so its cost follows the rungs, not the trades booked into them (the same four rungs at every size here). The
/// stores are RocksDB, as in a running instance. The figures go to the test output (host/README "Book-wide views"
/// quotes them); the asserts check the ladder's sums at each size, never a time.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class SettlementLadderCostTests(RegistryFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void TheLadderReadsItsRungsWhateverTheTradesBookedIntoThem()
    {
        foreach (int trades in new[] { 2_000, 8_000, 32_000 })
        {
            using var state = new TempDirectory();
            using var h = new BrokerageHarness(fixture, driverOptions: new TopologyTestDriverOptions { AutoCommit = false, StateDirectory = state.Path });
            var sequences = new Dictionary<string, long>();
            for (int i = 0; i < trades; i++)
            {
                int accountNumber = i % 200;
                string account = $"ACC-{accountNumber:D6}";
                long sequence = sequences[account] = sequences.GetValueOrDefault(account) + 1;
                // Half the accounts trade on Monday, half on Tuesday (two value dates), each in time order; every other
                // trade of an account in GBP: four rungs.
                bool usd = (i / 200) % 2 == 0;
                h.Send(Events.Created(account, sequence, $"T-{i:D10}", instrument: usd ? "AAPL" : "VOD", currency: usd ? "USD" : "GBP",
                    side: i % 3 == 0 ? TradeSide.SELL : TradeSide.BUY, quantity: 1m + (i % 7), price: 10m,
                    time: Events.Monday.AddHours(accountNumber < 100 ? -9 : 15).AddSeconds(i / 200))); // 01:00 on each day, before the wall clock
                if (i % 500 == 499)
                {
                    h.Driver.Commit();
                }
            }

            h.Driver.Commit();
            Assert.Equal(trades, h.Queries.Counters.Applied);

            var from = DateOnly.FromDateTime(Events.Monday);
            var ladder = h.Queries.SettlementLadder(from); // warm: the first read opens the iterators and fills the cache
            Assert.Equal(4, ladder.Count);
            Assert.Equal(trades, ladder.Sum(r => r.Pending));
            var times = new List<double>();
            for (int run = 0; run < 101; run++)
            {
                var clock = Stopwatch.StartNew();
                ladder = h.Queries.SettlementLadder(from);
                times.Add(clock.Elapsed.TotalMilliseconds);
                Assert.Equal(trades, ladder.Sum(r => r.Pending));
            }

            double median = times.Order().ElementAt(times.Count / 2);
            output.WriteLine($"{trades} trades in {ladder.Count} rungs: ladder query median {median * 1000:F1} µs of {times.Count} runs (min {times.Min() * 1000:F1} µs, max {times.Max() * 1000:F1} µs)");
        }
    }

    /// <summary>A state directory deleted after the test.</summary>
    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ladder-cost-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
