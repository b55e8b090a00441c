using System.Diagnostics;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Testing;
using Xunit.Abstractions;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Measures what the settlement ladder costs (<see cref="BrokerageQueries.SettlementLadder"/>): it is computed when
/// asked, by scanning the <c>trades-by-settlement</c> index from the first value date and reading each trade it names,
/// so its cost grows with the trades kept from that date on. The stores are RocksDB, as in a running instance. The
/// figures go to the test output (host/README "Book-wide views" sizes the 1,000,000-trade day from them); the asserts
/// check the ladder's sums at each size, never a time.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class SettlementLadderCostTests(RegistryFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void TheLadderReadsEveryTradeFromItsFirstValueDateOnAndItsCostGrowsWithThem()
    {
        foreach (int trades in new[] { 2_000, 8_000 })
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
            for (int run = 0; run < 5; run++)
            {
                var clock = Stopwatch.StartNew();
                ladder = h.Queries.SettlementLadder(from);
                times.Add(clock.Elapsed.TotalMilliseconds);
                Assert.Equal(trades, ladder.Sum(r => r.Pending));
            }

            double median = times.Order().ElementAt(times.Count / 2);
            output.WriteLine($"{trades} trades in the index: ladder query median {median:F1} ms of 5 runs ({median * 1000 / trades:F2} µs per trade; runs {string.Join(", ", times.Select(t => t.ToString("F1")))} ms)");
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
