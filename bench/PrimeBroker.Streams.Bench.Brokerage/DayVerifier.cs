using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// Checks a run's outputs against the script: every trade the oracle says is applied has exactly one position change
/// (signed quantity and price of the trade), one balanced ledger entry (debit = credit = quantity x price in the
/// instrument's currency) and one PENDING settlement of that amount; nothing else was applied (no duplicate, no
/// unknown trade); debits equal credits per currency; each (account, instrument)'s last position quantity equals the
/// sum of its applied trades; the dead-letter topic is empty. Collects up to 10 failures per kind.
/// </summary>
internal static class DayVerifier
{
    public sealed record Outcome(bool Ok, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, (decimal Debits, decimal Credits)> ByCurrency,
        long Positions, long LedgerEntries, long Settlements, long DeadLetters, long Alerts);

    public static Outcome Verify(TradeChunk chunk, OutputCollector outputs)
    {
        var failures = new List<string>();
        var perKind = new Dictionary<string, int>();
        void Fail(string kind, string message)
        {
            perKind[kind] = perKind.GetValueOrDefault(kind) + 1;
            if (perKind[kind] <= 10)
            {
                failures.Add($"{kind}: {message}");
            }
        }

        var flow = chunk.Flow;
        var trades = chunk.EndTrade - chunk.FirstTrade;
        var expected = new Dictionary<string, int>(trades);
        for (var t = 0; t < trades; t++)
        {
            if (chunk.AppliedSend[t] >= 0)
            {
                expected[TradeFlow.TradeId(chunk.FirstTrade + t)] = chunk.FirstTrade + t;
            }
        }

        var positionSeen = new Dictionary<string, int>(expected.Count);
        var ledgerSeen = new Dictionary<string, int>(expected.Count);
        var settlementSeen = new Dictionary<string, int>(expected.Count);
        var lastQuantity = new Dictionary<(string, string), decimal>();
        var byCurrency = new Dictionary<string, (decimal Debits, decimal Credits)>();

        var positions = outputs.Positions;
        foreach (var p in positions)
        {
            positionSeen[p.tradeId] = positionSeen.GetValueOrDefault(p.tradeId) + 1;
            lastQuantity[(p.accountId, p.instrumentId)] = Money.FromAvro(p.newPosition.quantity); // per account in order: one partition
            if (!expected.TryGetValue(p.tradeId, out var t))
            {
                Fail("position of a trade not applied", p.tradeId);
                continue;
            }

            var trade = flow.Trades[t];
            var delta = trade.Buy ? trade.Quantity : -trade.Quantity;
            if (Money.FromAvro(p.change.quantityDelta) != delta || Money.FromAvro(p.change.price) != trade.Price)
            {
                Fail("position change differs", $"{p.tradeId}: delta {Money.FromAvro(p.change.quantityDelta)} at {Money.FromAvro(p.change.price)}, expected {delta} at {trade.Price}");
            }
        }

        var ledger = outputs.LedgerEntries;
        var pnlEntries = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in ledger)
        {
            // A trade that realizes P&L also posts a second entry between its securities and P&L accounts (the chart of
            // accounts in topology/README): balanced and counted in the currency sums, once per entry id, but not the
            // trade's own entry.
            var realizedPnl = e.debitEntry.account.Contains(":PNL:", StringComparison.Ordinal) || e.creditEntry.account.Contains(":PNL:", StringComparison.Ordinal);
            if (!realizedPnl)
            {
                ledgerSeen[e.tradeId] = ledgerSeen.GetValueOrDefault(e.tradeId) + 1;
            }
            else if (!pnlEntries.Add(e.ledgerEntryId))
            {
                Fail("realized P&L entry applied more than once", e.ledgerEntryId);
            }

            var debit = Money.FromAvro(e.debitEntry.amount);
            var credit = Money.FromAvro(e.creditEntry.amount);
            var sums = byCurrency.GetValueOrDefault(e.debitEntry.currency);
            byCurrency[e.debitEntry.currency] = (sums.Debits + debit, sums.Credits);
            sums = byCurrency.GetValueOrDefault(e.creditEntry.currency);
            byCurrency[e.creditEntry.currency] = (sums.Debits, sums.Credits + credit);
            if (debit != credit || e.debitEntry.currency != e.creditEntry.currency)
            {
                Fail("unbalanced ledger entry", $"{e.ledgerEntryId}: debit {debit} {e.debitEntry.currency}, credit {credit} {e.creditEntry.currency}");
            }

            if (!expected.TryGetValue(e.tradeId, out var t))
            {
                Fail("ledger entry of a trade not applied", e.tradeId);
                continue;
            }

            if (realizedPnl)
            {
                continue;
            }

            var trade = flow.Trades[t];
            var amount = trade.Quantity * trade.Price;
            var currency = flow.Instruments.Currency(trade.Instrument);
            if (debit != amount || e.debitEntry.currency != currency)
            {
                Fail("ledger amount differs", $"{e.tradeId}: {debit} {e.debitEntry.currency}, expected {amount} {currency}");
            }
        }

        var settlements = outputs.Settlements;
        foreach (var s in settlements)
        {
            if (s.status != SettlementStatus.PENDING)
            {
                Fail("settlement not PENDING", $"{s.tradeId}: {s.status}");
                continue;
            }

            settlementSeen[s.tradeId] = settlementSeen.GetValueOrDefault(s.tradeId) + 1;
            if (!expected.TryGetValue(s.tradeId, out var t))
            {
                Fail("settlement of a trade not applied", s.tradeId);
                continue;
            }

            var trade = flow.Trades[t];
            if (Math.Abs(Money.FromAvro(s.amount)) != trade.Quantity * trade.Price || s.currency != flow.Instruments.Currency(trade.Instrument))
            {
                Fail("settlement amount differs", $"{s.tradeId}: {Money.FromAvro(s.amount)} {s.currency}");
            }
        }

        foreach (var tradeId in expected.Keys)
        {
            Check("position change", positionSeen, tradeId);
            Check("ledger entry", ledgerSeen, tradeId);
            Check("settlement", settlementSeen, tradeId);
        }

        void Check(string what, Dictionary<string, int> seen, string tradeId)
        {
            var n = seen.GetValueOrDefault(tradeId);
            if (n != 1)
            {
                Fail(n == 0 ? $"missing {what}" : $"{what} applied more than once", $"{tradeId} ({n})");
            }
        }

        foreach (var (currency, sums) in byCurrency)
        {
            if (sums.Debits != sums.Credits)
            {
                Fail("debits differ from credits", $"{currency}: {sums.Debits} vs {sums.Credits}");
            }
        }

        var oracleQuantity = new Dictionary<(string, string), decimal>();
        foreach (var t in expected.Values)
        {
            var trade = flow.Trades[t];
            var key = (TradeFlow.AccountId(trade.Account), flow.Instruments.Id(trade.Instrument));
            oracleQuantity[key] = oracleQuantity.GetValueOrDefault(key) + (trade.Buy ? trade.Quantity : -trade.Quantity);
        }

        foreach (var (key, quantity) in oracleQuantity)
        {
            if (lastQuantity.GetValueOrDefault(key) != quantity)
            {
                Fail("final position differs from the oracle", $"{key.Item1}/{key.Item2}: {lastQuantity.GetValueOrDefault(key)}, oracle {quantity}");
            }
        }

        var deadLetters = outputs.UndecodedOf(PrimeBrokerTopics.TradeEventsDlq);
        if (deadLetters > 0)
        {
            Fail("dead letters", $"{deadLetters} records on {PrimeBrokerTopics.TradeEventsDlq} (the script sends only valid trades)");
        }

        foreach (var (kind, count) in perKind.Where(k => k.Value > 10))
        {
            failures.Add($"{kind}: {count} in all");
        }

        return new Outcome(failures.Count == 0, failures, byCurrency, positions.Count, ledger.Count, settlements.Count, deadLetters,
            outputs.UndecodedOf(PrimeBrokerTopics.Alerts));
    }
}
