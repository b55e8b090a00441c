using System.Numerics;
using Avro;
using Avro.Specific;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Properties;

/// <summary>
/// Hostile field values through the decoder and the whole topology: extreme, zero, negative and tiny decimals, decimals
/// beyond 96 bits or 20 integer digits, far past and far future timestamps, empty, blank, control-character and very long
/// strings, unknown instruments and currencies, instruments whose currency changes mid-stream, amends and cancels of
/// whatever trade ids come up, settlement confirmations of them with any outcome, out-of-range sequence numbers. No task stops, and every record is accounted for: booked,
/// dead-lettered, skipped as a duplicate or by idempotency, or held behind a gap.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class HostileInputPropertyTests(RegistryFixture fixture)
{
    private static readonly AvroDecimal[] s_amounts =
    [
        Amount(0), Amount(-1), Amount(1), new(BigInteger.One, 8), Amount(0.5m), Amount(100), Amount(12.34567891m),
        Amount(99_999_999_999_999_999_999.99999999m), Amount(-99_999_999_999_999_999_999.99999999m),
        new(BigInteger.Pow(10, 28) * 2, 8), new(BigInteger.Pow(2, 96), 8), new(-BigInteger.Pow(2, 120), 8), new(BigInteger.Pow(10, 40), 8),
    ];

    /// <summary>Half of the amounts are ordinary, so that hostile values meet booked positions and each other.</summary>
    private static readonly AvroDecimal[] s_saneAmounts = [Amount(1), Amount(100), Amount(0.00000001m), Amount(12.34567891m)];

    private static readonly DateTime[] s_times =
    [
        DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), DateTime.UnixEpoch, Events.Monday, Events.Monday.AddMinutes(3),
        Events.Monday.AddYears(1), new DateTime(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc),
    ];

    private static readonly string[] s_strings = ["", " ", "\u0000", "T-1", "T-2", "T-3", "k-1", "k-2", new('x', 10_000), "ü\u200b"];

    private static readonly string[] s_instruments = ["AAPL", "AAPL", "AAPL", "MSFT", "VOD", "", "NOPE", new('I', 5_000)];

    private static readonly string[] s_currencies = ["USD", "USD", "USD", "EUR", "GBP", "usd", "", "XXX"];

    private static readonly long[] s_sequenceJumps = [1, 1, 1, 1, 1, 0, 2, -1_000, long.MaxValue / 2];

    public static Arbitrary<HostileStream> Streams() => Generator.ToArbitrary();

    private static Gen<HostileStream> Generator { get; } =
        from count in Gen.Choose(5, 40)
        from events in HostileEvents.ListOf(count)
        select new HostileStream([.. events]);

    private static Gen<HostileEvent> HostileEvents { get; } =
        from kind in Gen.Choose(0, 11)
        from account in Gen.Elements("ACC-1", "ACC-2")
        from jump in Gen.Elements(s_sequenceJumps)
        from tradeId in Gen.Elements(s_strings)
        from key in Gen.Elements(s_strings)
        from instrument in Gen.Elements(s_instruments)
        from currency in Gen.Elements(s_currencies)
        from quantity in Gen.Frequency((1, Gen.Elements(s_amounts)), (1, Gen.Elements(s_saneAmounts)))
        from price in Gen.Frequency((1, Gen.Elements(s_amounts)), (1, Gen.Elements(s_saneAmounts)))
        from time in Gen.Frequency((1, Gen.Elements(s_times)), (2, Gen.Constant(Events.Monday)))
        from buy in Gen.Elements(true, false)
        from outcome in Gen.Elements(SettlementOutcome.SETTLED, SettlementOutcome.FAILED, SettlementOutcome.UNKNOWN)
        select new HostileEvent(kind, account, jump, tradeId, key, instrument, currency, quantity, price, time, buy, outcome);

    [Property(MaxTest = 200, Arbitrary = [typeof(HostileInputPropertyTests)])]
    public void NoHostileValueStopsATaskAndEveryRecordIsAccountedFor(HostileStream stream)
    {
        using var h = new BrokerageHarness(fixture);
        var next = new Dictionary<string, long> { ["ACC-1"] = 1, ["ACC-2"] = 1 };
        int delivered = 0;
        foreach (HostileEvent e in stream.Events)
        {
            if (e.Kind == 9)
            {
                // The instrument table changes an instrument's currency (or prices it absurdly) mid-stream.
                h.AddInstrument(Events.Instrument("AAPL", e.Currency is "USD" or "EUR" or "GBP" ? e.Currency : "EUR", 1m));
                continue;
            }

            if (e.Kind >= 10)
            {
                // A settlement confirmation of whatever trade id comes up (commands take no sequence number).
                h.Send(e.ToRecord(0), e.Account);
                delivered++;
                continue;
            }

            long sequence = next[e.Account] + e.Jump - 1;
            next[e.Account] = Math.Max(next[e.Account], sequence + 1);
            h.Send(e.ToRecord(sequence), e.Account);
            delivered++;
        }

        string context = $"\nstream:\n{stream}";
        Assert.True(h.Health.IsHealthy, $"critical failure: {string.Join("; ", h.Health.CriticalFailures.Select(f => f.Message))}{context}");
        BrokerageCounters c = h.Queries.Counters;
        var counters = h.Driver.GetKeyValueStore<string, long>(BrokerageStores.Counters);
        long Counter(string name) => counters.TryGet(name, out long n) ? n : 0;
        long confirmations = Counter(Internal.CounterStore.SettlementsSettled) + Counter(Internal.CounterStore.SettlementsFailed)
            + Counter(Internal.CounterStore.SettlementCommandsRepeated);
        long accounted = c.Applied + c.DeadLetteredTotal + c.DuplicatesSkipped + c.IdempotencySkipped + c.HeldNow + confirmations;
        Assert.True(delivered == accounted, $"delivered {delivered}, accounted {accounted}: {c}{context}");
        int deadLetters = h.DeadLetters.ReadValuesToListOf().Count;
        Assert.True(deadLetters == c.DeadLetteredTotal, $"dead-letter topic {deadLetters}, counters {c.DeadLetteredTotal}{context}");
        Assert.All(h.Ledger.ReadValuesToListOf(), entry => Assert.True(Money.FromAvro(entry.debitEntry.amount) > 0, $"ledger entry {entry.ledgerEntryId} of zero{context}"));
    }

    private static AvroDecimal Amount(decimal value) => Money.ToAvro(value);

    public sealed record HostileStream(IReadOnlyList<HostileEvent> Events)
    {
        public override string ToString() => string.Join("\n", Events);
    }

    /// <param name="Kind">0-4 create, 5-6 amend, 7-8 cancel, 9 an instrument update (currency change), 10-11 a settlement
    /// confirmation (command id <paramref name="Key"/>).</param>
    public sealed record HostileEvent(int Kind, string Account, long Jump, string TradeId, string Key, string Instrument, string Currency,
        AvroDecimal Quantity, AvroDecimal Price, DateTime Time, bool Buy, SettlementOutcome Outcome)
    {
        public ISpecificRecord ToRecord(long sequence) => Kind switch
        {
            <= 4 => new TradeCreated
            {
                tradeId = TradeId, accountId = Account, instrumentId = Instrument, quantity = Quantity, price = Price, currency = Currency,
                side = Buy ? TradeSide.BUY : TradeSide.SELL, timestamp = Time, idempotencyKey = Key, sequenceNumber = sequence,
            },
            <= 6 => new TradeAmended
            {
                tradeId = TradeId, accountId = Account, amendedQuantity = Quantity, amendedPrice = Price, reason = Key, timestamp = Time,
                idempotencyKey = Key, sequenceNumber = sequence,
            },
            >= 10 => new ConfirmSettlement
            {
                commandId = Key, accountId = Account, tradeId = TradeId, outcome = Outcome, reason = Key, requestedBy = Key, timestamp = Time,
            },
            _ => new TradeCancelled { tradeId = TradeId, accountId = Account, reason = Key, timestamp = Time, idempotencyKey = Key, sequenceNumber = sequence },
        };

        public override string ToString() =>
            $"{(Kind <= 4 ? "Create" : Kind <= 6 ? "Amend" : Kind <= 8 ? "Cancel" : Kind == 9 ? "Instrument" : $"Confirm {Outcome}")} {Account} +{Jump} id '{Short(TradeId)}' key '{Short(Key)}' {Short(Instrument)} {Currency} {Quantity}@{Price} {Time:O}";

        private static string Short(string s) => s.Length > 12 ? $"{s[..12]}…({s.Length})" : s;
    }
}
