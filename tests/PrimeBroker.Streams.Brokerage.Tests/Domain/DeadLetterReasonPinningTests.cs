using System.Reflection;

namespace PrimeBroker.Streams.Brokerage.Tests.Domain;

/// <summary>
/// <see cref="DeadLetterReason"/> is stored by name in dead letters, counters and metrics: its names and values are
/// pinned, and its declaration order is the order the topology checks them in. A change here is a contract change.
/// </summary>
public sealed class DeadLetterReasonPinningTests
{
    /// <summary>In check order: (name, value). Append new reasons with the next free value at their place in the order.</summary>
    private static readonly (string Name, int Value)[] s_pinned =
    [
        ("EmptyPayload", 0), ("HeaderTooShort", 1), ("UnknownMagicByte", 2), ("UnknownSchemaId", 3), ("UnexpectedRecordType", 4),
        ("UnsupportedSchemaVersion", 5), ("CorruptBody", 6), ("SchemaRegistryUnavailable", 7),
        ("MissingAccountId", 8), ("AccountKeyMismatch", 9), ("InvalidSequenceNumber", 10), ("MissingCommandId", 11),
        ("ConflictingSequenceNumber", 33), ("RedrivenNumberSkipped", 35), ("HeldEventsLimitReached", 12),
        ("MissingTradeId", 13), ("MissingIdempotencyKey", 14), ("MissingInstrumentId", 15),
        ("ConflictingIdempotencyKey", 34),
        ("AmountOutOfRange", 26), ("EventTimeAhead", 27), ("SettlementDateOutOfRange", 28),
        ("NonPositiveQuantity", 16), ("NonPositivePrice", 17), ("UnknownCurrency", 18), ("UnknownInstrument", 19), ("CurrencyMismatch", 20),
        ("NotionalOutOfRange", 21), ("NotionalRoundsToZero", 29), ("DuplicateTradeId", 22), ("UnknownTrade", 23), ("TradeOfAnotherAccount", 24),
        ("TradeAlreadyCancelled", 25), ("TradeAlreadySettled", 40),
        ("PositionCurrencyMismatch", 30), ("RestatementBeyondHistory", 31), ("PositionOutOfRange", 32),
        ("UnknownSettlementOutcome", 41), ("SettlementTransitionRefused", 42),
    ];

    [Fact]
    public void NamesValuesAndCheckOrderArePinned()
    {
        // Fields in declaration order (metadata order), not Enum.GetValues, which sorts by value.
        var declared = typeof(DeadLetterReason).GetFields(BindingFlags.Public | BindingFlags.Static)
            .OrderBy(f => f.MetadataToken)
            .Select(f => (f.Name, (int)f.GetValue(null)!))
            .ToArray();

        Assert.Equal(s_pinned, declared);
    }

    [Fact]
    public void NoValueIsUsedTwice() =>
        Assert.Equal(Enum.GetValues<DeadLetterReason>().Length, Enum.GetValues<DeadLetterReason>().Select(r => (int)r).Distinct().Count());
}
