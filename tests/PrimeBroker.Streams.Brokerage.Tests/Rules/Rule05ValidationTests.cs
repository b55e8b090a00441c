using Avro.Specific;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Rule 5: after sequencing, business validation; an invalid event that carries its account and sequence number
/// consumes that number (dead-lettered with its reason, successors not held behind it).
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule05ValidationTests(RegistryFixture fixture)
{
    public static TheoryData<string, DeadLetterReason> InvalidEvents => new()
    {
        { "missing trade id", DeadLetterReason.MissingTradeId },
        { "missing idempotency key", DeadLetterReason.MissingIdempotencyKey },
        { "missing instrument id", DeadLetterReason.MissingInstrumentId },
        { "zero quantity", DeadLetterReason.NonPositiveQuantity },
        { "negative quantity", DeadLetterReason.NonPositiveQuantity },
        { "zero price", DeadLetterReason.NonPositivePrice },
        { "lower-case currency", DeadLetterReason.UnknownCurrency },
        { "made-up currency", DeadLetterReason.UnknownCurrency },
        { "unknown instrument", DeadLetterReason.UnknownInstrument },
        { "currency differs from the instrument's", DeadLetterReason.CurrencyMismatch },
        { "notional beyond decimal(28,8)", DeadLetterReason.NotionalOutOfRange },
        { "trade id already booked", DeadLetterReason.DuplicateTradeId },
        { "amend of an unknown trade", DeadLetterReason.UnknownTrade },
        { "cancel of an unknown trade", DeadLetterReason.UnknownTrade },
        { "cancel of another account's trade", DeadLetterReason.TradeOfAnotherAccount },
        { "cancel of a cancelled trade", DeadLetterReason.TradeAlreadyCancelled },
        { "amend of a cancelled trade", DeadLetterReason.TradeAlreadyCancelled },
        { "amend to a negative price", DeadLetterReason.NonPositivePrice },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public void AnInvalidEventIsDeadLetteredWithItsReasonAndConsumesItsSequenceNumber(string what, DeadLetterReason reason)
    {
        using var h = new BrokerageHarness(fixture);
        // Sequence 1 of ACC-1 books T-1; ACC-2 books T-OTHER.
        h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Created("ACC-2", 1, "T-OTHER"));
        if (what.Contains("cancelled trade"))
        {
            h.Send(Events.Created("ACC-1", 2, "T-C"), Events.Cancelled("ACC-1", 3, "T-C"));
        }

        long sequence = h.Queries.ExpectedSequenceOf("ACC-1");
        h.Send(Invalid(what, sequence));
        h.Send(Events.Created("ACC-1", sequence + 1, "T-NEXT"));

        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.True(reason.ToString() == dead.errorType, $"{what}: expected {reason}, got {dead.errorType}: {dead.errorMessage}");
        Assert.Equal(h.Options.TradeEventsTopic, dead.sourceTopic);
        Assert.NotNull(dead.originalValue);
        Assert.Null(h.Queries.GapOf("ACC-1")); // the successor was not held behind the invalid event
        Assert.Equal(sequence + 2, h.Queries.ExpectedSequenceOf("ACC-1"));
        Assert.Equal(1, h.Queries.Counters.DeadLettered[reason]);
    }

    private static ISpecificRecord Invalid(string what, long s) => what switch
    {
        "missing trade id" => Events.Created("ACC-1", s, ""),
        "missing idempotency key" => Events.Created("ACC-1", s, "T-X", idempotencyKey: ""),
        "missing instrument id" => Events.Created("ACC-1", s, "T-X", instrument: " "),
        "zero quantity" => Events.Created("ACC-1", s, "T-X", quantity: 0m),
        "negative quantity" => Events.Created("ACC-1", s, "T-X", quantity: -3m),
        "zero price" => Events.Created("ACC-1", s, "T-X", price: 0m),
        "lower-case currency" => Events.Created("ACC-1", s, "T-X", currency: "usd"),
        "made-up currency" => Events.Created("ACC-1", s, "T-X", currency: "ABC"),
        "unknown instrument" => Events.Created("ACC-1", s, "T-X", instrument: "NOPE"),
        "currency differs from the instrument's" => Events.Created("ACC-1", s, "T-X", currency: "EUR"),
        "notional beyond decimal(28,8)" => Events.Created("ACC-1", s, "T-X", quantity: 1_000_000_000_000m, price: 1_000_000_000_000m),
        "trade id already booked" => Events.Created("ACC-1", s, "T-1"),
        "amend of an unknown trade" => Events.Amended("ACC-1", s, "T-NONE", 1m, 1m),
        "cancel of an unknown trade" => Events.Cancelled("ACC-1", s, "T-NONE"),
        "cancel of another account's trade" => Events.Cancelled("ACC-1", s, "T-OTHER"),
        "cancel of a cancelled trade" => Events.Cancelled("ACC-1", s, "T-C"),
        "amend of a cancelled trade" => Events.Amended("ACC-1", s, "T-C", 1m, 1m),
        "amend to a negative price" => Events.Amended("ACC-1", s, "T-1", 1m, -1m),
        _ => throw new ArgumentOutOfRangeException(nameof(what), what, null),
    };

    [Fact]
    public void WhenSeveralChecksFailTheFirstInTheReasonOrderIsReported()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 0m, price: 0m, currency: "abc", instrument: "NOPE"));

        Assert.Equal(nameof(DeadLetterReason.NonPositiveQuantity), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
    }

    [Fact]
    public void InvalidEventsProduceNoPositionLedgerOrSettlementOutput()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 0m));

        Assert.True(h.Positions.IsEmpty);
        Assert.True(h.Ledger.IsEmpty);
        Assert.True(h.Settlements.IsEmpty);
        Assert.Equal(0, h.Queries.Counters.Applied);
    }
}
