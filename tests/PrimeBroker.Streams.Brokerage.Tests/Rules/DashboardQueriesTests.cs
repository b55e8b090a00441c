using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// The queries the operations dashboard reads: ledger balances per (account, currency) kept by the ledger rule (one
/// store write per booked event), the settlement ladder from the trades store, every instrument and every position.
/// The balances are checked against an oracle built from the ledger topic itself.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class DashboardQueriesTests(RegistryFixture fixture)
{
    [Fact]
    public void ABuyThenASellAtAGainLeavesCashUpBySecuritiesFlatAndThePnlCredited()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 100m, price: 10m), Events.Created("ACC-1", 2, "T-2", side: TradeSide.SELL, quantity: 100m, price: 12m));

        LedgerBalance usd = Assert.Single(h.Queries.LedgerBalancesOf("ACC-1"));
        Assert.Equal(("ACC-1", "USD"), (usd.AccountId, usd.Currency));
        // BUY 100 @ 10, SELL 100 @ 12: SEC +1,000 − 1,200 + 200 = 0, CASH −1,000 + 1,200 = +200, a gain of 200.
        Assert.Equal((200m, 0m, 200m), (usd.Cash, usd.Securities, usd.RealizedPnl));
        // Three entries (two bookings and the realized-P&L one): 1,000 + 1,200 + 200 on each side.
        Assert.Equal((3L, 2400m, 2400m), (usd.Entries, usd.Debits, usd.Credits));
        Assert.True(usd.IsBalanced);
        Assert.Equal(2, usd.LastSequenceNumber);
    }

    [Fact]
    public void AnAmendAndACancelUndoTheCashAndEveryEventIsOneWriteOfItsAccountAndCurrency()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(
            Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 5m),
            Events.Amended("ACC-1", 2, "T-1", 12m, 5m),
            Events.Cancelled("ACC-1", 3, "T-1"),
            Events.Created("ACC-1", 4, "T-2", instrument: "VOD", quantity: 1000m, price: 0.7235m, currency: "GBP"));

        var balances = h.Queries.LedgerBalancesOf("ACC-1");
        Assert.Equal(["GBP", "USD"], balances.Select(b => b.Currency));
        LedgerBalance usd = balances[1];
        Assert.Equal((0m, 0m, 0m, 4L), (usd.Cash, usd.Securities, usd.RealizedPnl, usd.Entries));
        Assert.Equal((-723.5m, 723.5m), (balances[0].Cash, balances[0].Securities));
        Assert.All(balances, b => Assert.True(b.IsBalanced));

        // Four booked events posted five entries; the store was written once per event (the amend's two entries at once).
        var changelog = h.Driver.CreateOutputTopic($"test-app-{BrokerageStores.LedgerBalances}-changelog", Serdes.String, Serdes.ByteArray);
        var writes = changelog.ReadRecordsToList().Where(r => r.Headers is null || !r.Headers.TryGetLastBytes("pbs.commit", out _)).ToList();
        Assert.Equal(5, h.Ledger.ReadValuesToListOf().Count);
        Assert.Equal(["ACC-1\0USD", "ACC-1\0USD", "ACC-1\0USD", "ACC-1\0GBP"], writes.Select(w => w.Key));
    }

    [Fact]
    public void BalancesOfEveryAccountEqualTheLedgerTopicSummedByAccountAndCurrency()
    {
        using var h = new BrokerageHarness(fixture);
        var random = new Random(19);
        var sequences = new Dictionary<string, long>();
        string[] instruments = ["AAPL", "MSFT", "VOD", "SAP"];
        string[] currencies = ["USD", "USD", "GBP", "EUR"];
        var open = new List<(string Account, string TradeId)>();
        for (int i = 0; i < 300; i++)
        {
            string account = $"ACC-{random.Next(6)}";
            long sequence = sequences[account] = sequences.GetValueOrDefault(account) + 1;
            var mine = open.Where(t => t.Account == account).ToList();
            if (mine.Count > 0 && random.Next(5) == 0)
            {
                var (_, tradeId) = mine[random.Next(mine.Count)];
                if (random.Next(2) == 0)
                {
                    h.Send(Events.Amended(account, sequence, tradeId, random.Next(1, 50), random.Next(1, 300) + 0.25m));
                }
                else
                {
                    h.Send(Events.Cancelled(account, sequence, tradeId));
                    open.Remove((account, tradeId));
                }

                continue;
            }

            int k = random.Next(instruments.Length);
            string id = $"T-{i}";
            h.Send(Events.Created(account, sequence, id, instrument: instruments[k], currency: currencies[k],
                side: random.Next(2) == 0 ? TradeSide.BUY : TradeSide.SELL, quantity: random.Next(1, 50), price: random.Next(1, 300) + 0.125m));
            open.Add((account, id));
        }

        // The oracle: every leg of the ledger topic, signed debit-positive, summed per (account, currency, kind).
        var oracle = new Dictionary<(string, string), (decimal Cash, decimal Sec, decimal Pnl, decimal Debits, long Entries)>();
        foreach (var record in h.Ledger.ReadRecordsToList())
        {
            var key = (record.Key, record.Value.debitEntry.currency);
            var o = oracle.GetValueOrDefault(key);
            decimal amount = Money.FromAvro(record.Value.debitEntry.amount);
            foreach (var (account, sign) in new[] { (record.Value.debitEntry.account, 1m), (record.Value.creditEntry.account, -1m) })
            {
                if (account.Contains(":CASH:", StringComparison.Ordinal)) o.Cash += sign * amount;
                else if (account.Contains(":PNL:", StringComparison.Ordinal)) o.Pnl += sign * amount;
                else o.Sec += sign * amount;
            }

            oracle[key] = (o.Cash, o.Sec, o.Pnl, o.Debits + amount, o.Entries + 1);
        }

        var balances = h.Queries.LedgerBalances();
        Assert.Empty(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(oracle.Keys.OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal), balances.Select(b => (b.AccountId, b.Currency)));
        Assert.All(balances, b =>
        {
            var o = oracle[(b.AccountId, b.Currency)];
            Assert.Equal((o.Cash, o.Sec, -o.Pnl, o.Debits, o.Debits, o.Entries), (b.Cash, b.Securities, b.RealizedPnl, b.Debits, b.Credits, b.Entries));
            Assert.True(b.IsBalanced);
        });
        // The book balances per currency: what the dashboard's debits = credits check sums across instances.
        Assert.All(balances.GroupBy(b => b.Currency), g => Assert.Equal(g.Sum(b => b.Debits), g.Sum(b => b.Credits)));
    }

    [Fact]
    public void ABalanceWithALostLegIsNotBalanced()
    {
        var balanced = new LedgerBalance { AccountId = "A", Currency = "USD", Cash = -10m, Securities = 10m, Debits = 10m, Credits = 10m, Entries = 1 };
        Assert.True(balanced.IsBalanced);
        Assert.False((balanced with { Credits = 0m }).IsBalanced);
        Assert.False((balanced with { Cash = 0m }).IsBalanced);
    }

    [Fact]
    public void TheLadderGroupsOpenTradesByValueDateAndCurrencyAndCountsEachStatus()
    {
        using var h = new BrokerageHarness(fixture);
        DateTime tuesday = Events.Monday.AddDays(1);
        h.Send(
            Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 2.5m),                                    // Wed 7th, pay 25
            Events.Created("ACC-1", 2, "T-2", side: TradeSide.SELL, quantity: 4m, price: 10m),                // Wed 7th, receive 40
            Events.Created("ACC-1", 3, "T-3", instrument: "VOD", quantity: 100m, price: 0.5m, currency: "GBP"), // Wed 7th GBP, pay 50
            Events.Created("ACC-1", 4, "T-4", quantity: 1m, price: 100m, time: tuesday),                       // Thu 8th, pay 100
            Events.Created("ACC-1", 5, "T-5", quantity: 1m, price: 7m),                                        // cancelled: not on the ladder
            Events.Cancelled("ACC-1", 6, "T-5"),
            Events.Created("ACC-2", 1, "T-6", quantity: 3m, price: 1m),                                        // Wed 7th, failed, pay 3
            Events.Confirm("ACC-2", "T-6", SettlementOutcome.FAILED, "cust-1"),
            Events.Created("ACC-2", 2, "T-7", quantity: 5m, price: 1m),                                        // Wed 7th, settled: counted, no cash
            Events.Confirm("ACC-2", "T-7", SettlementOutcome.SETTLED, "cust-2"));

        var ladder = h.Queries.SettlementLadder(new DateOnly(2026, 1, 5));
        Assert.Equal(
            [
                new SettlementLadderRow(new DateOnly(2026, 1, 7), "GBP", 1, 0, 0, 50m, 0m),
                new SettlementLadderRow(new DateOnly(2026, 1, 7), "USD", 2, 1, 1, 28m, 40m),
                new SettlementLadderRow(new DateOnly(2026, 1, 8), "USD", 1, 0, 0, 100m, 0m),
            ],
            ladder);
        Assert.Equal(12m, ladder[1].Net);
        // From the 8th on only the later rung is read.
        Assert.Equal([new DateOnly(2026, 1, 8)], h.Queries.SettlementLadder(new DateOnly(2026, 1, 8)).Select(r => r.ValueDate));
        Assert.Throws<ArgumentException>(() => ladder[0].Add(ladder[1]));
    }

    [Fact]
    public void InstrumentsAndPositionsListEverythingTheTablesHold()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-2", 1, "T-1", instrument: "MSFT", quantity: 2m, price: 400m), Events.Created("ACC-1", 1, "T-2", quantity: 3m, price: 190m));

        Assert.Equal(["AAPL", "MSFT", "SAP", "VOD"], h.Queries.Instruments().Select(i => i.InstrumentId));
        Assert.Equal(0.72m, h.Queries.Instruments().Single(i => i.InstrumentId == "VOD").Price);
        Assert.Equal([("ACC-1", "AAPL", 3m), ("ACC-2", "MSFT", 2m)], h.Queries.Positions().Select(p => (p.AccountId, p.InstrumentId, p.Quantity)));
    }
}
