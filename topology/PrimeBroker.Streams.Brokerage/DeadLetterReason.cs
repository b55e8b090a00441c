namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// Why a record of <c>trade-events</c> went to the dead-letter topic, in the order the topology checks them: when
/// several apply, the first in this list is the one reported. Every <c>FailedTradeEvent</c> carries one of these names
/// in <c>errorType</c>; the metrics and <see cref="BrokerageCounters.DeadLettered"/> count by it.
/// </summary>
/// <remarks>
/// Pinned: dead letters, counters and metrics store the names, so a name never changes and a value is never reused.
/// New reasons take the next free value and are declared at their place in the check order
/// (<c>DeadLetterReasonPinningTests</c> holds both lists).
/// </remarks>
/// <remarks>
/// Stages, in order: decoding the bytes (rule 1, with retries for the registry, rule 2); the fields sequencing needs;
/// sequencing (rule 3); the remaining required ids (the event consumes its sequence number from here on, rule 5);
/// idempotency (rule 4: an exact retry is a skip, a conflicting one a dead letter); business validation (rule 5);
/// positions (rule 6); settlement confirmations (rule 8), which skip sequencing, idempotency, validation and positions.
/// </remarks>
public enum DeadLetterReason
{
    // Decoding (rule 1): the bytes are not an event of this topic. The sequence number is unknown, so none is consumed.

    /// <summary>The value is null (a tombstone) or empty.</summary>
    EmptyPayload = 0,

    /// <summary>Fewer than the 5 bytes of the Confluent header.</summary>
    HeaderTooShort = 1,

    /// <summary>The first byte is not the Confluent magic byte 0.</summary>
    UnknownMagicByte = 2,

    /// <summary>The registry does not know the schema id in the header.</summary>
    UnknownSchemaId = 3,

    /// <summary>The writer schema is a record type this topic does not carry.</summary>
    UnexpectedRecordType = 4,

    /// <summary>The writer schema is a version we cannot resolve into the current type ("unsupported version").</summary>
    UnsupportedSchemaVersion = 5,

    /// <summary>The Avro body is truncated, corrupt, or followed by extra bytes.</summary>
    CorruptBody = 6,

    /// <summary>The registry stayed unreachable through every retry (rule 2); the record carries its attempt count.</summary>
    SchemaRegistryUnavailable = 7,

    // What sequencing needs: without it the event cannot be placed in its account's order.

    /// <summary>The event has no account id.</summary>
    MissingAccountId = 8,

    /// <summary>The record key is missing or differs from the event's account id (it sits on another account's partition).</summary>
    AccountKeyMismatch = 9,

    /// <summary>The sequence number is zero or negative (sequences start at 1).</summary>
    InvalidSequenceNumber = 10,

    /// <summary>An operator command without a command id.</summary>
    MissingCommandId = 11,

    // Sequencing (rule 3).

    /// <summary>A sequence number already used (applied, or held behind a gap) by an event with other content
    /// (<c>EventContent</c>: kind, trade id, idempotency key, instrument, side, quantity, price, currency). An exact
    /// resend is skipped and counted instead.</summary>
    ConflictingSequenceNumber = 33,

    /// <summary>The re-drive (as is) of a record that could not be decoded (<see cref="SchemaRegistryUnavailable"/>)
    /// carries a sequence number its account has passed without it (an operator resolved the gap): re-drive this dead
    /// letter again, it then gets a new number.</summary>
    RedrivenNumberSkipped = 35,

    /// <summary>The account already holds <see cref="BrokerageOptions.MaxHeldEventsPerAccount"/> events behind a gap.</summary>
    HeldEventsLimitReached = 12,

    // Required ids, checked after sequencing: the event consumes its sequence number (rule 5).

    /// <summary>The event has no trade id.</summary>
    MissingTradeId = 13,

    /// <summary>The event has no idempotency key.</summary>
    MissingIdempotencyKey = 14,

    /// <summary>A created trade has no instrument id.</summary>
    MissingInstrumentId = 15,

    // Idempotency (rule 4).

    /// <summary>An idempotency key the account applied within <see cref="BrokerageOptions.IdempotencyWindow"/> for an
    /// event with other content. An exact retry is skipped and counted instead.</summary>
    ConflictingIdempotencyKey = 34,

    // Business validation (rule 5), after the idempotency check: everything booking, the ledger, settlement and
    // serialization could not take.

    /// <summary>A quantity or price is not a decimal(28,8): more than 96 bits, more than 8 places or more than 20
    /// integer digits.</summary>
    AmountOutOfRange = 26,

    /// <summary>The event's own time is further ahead of the wall clock than <see cref="BrokerageOptions.MaxEventTimeAhead"/>.</summary>
    EventTimeAhead = 27,

    /// <summary>The settlement calendar cannot place the trade's settlement date (beyond the last representable date).</summary>
    SettlementDateOutOfRange = 28,

    /// <summary>Quantity is zero or negative.</summary>
    NonPositiveQuantity = 16,

    /// <summary>Price is zero or negative.</summary>
    NonPositivePrice = 17,

    /// <summary>The currency is not an active ISO 4217 code.</summary>
    UnknownCurrency = 18,

    /// <summary>The instrument is not in the instrument table.</summary>
    UnknownInstrument = 19,

    /// <summary>The trade's currency differs from the instrument's.</summary>
    CurrencyMismatch = 20,

    /// <summary>Quantity × price does not fit the contract's money type decimal(28,8).</summary>
    NotionalOutOfRange = 21,

    /// <summary>Quantity × price rounds to zero at 8 places: nothing could be posted to the ledger or settled.</summary>
    NotionalRoundsToZero = 29,

    /// <summary>A created trade reuses the id of a trade already booked (with another idempotency key).</summary>
    DuplicateTradeId = 22,

    /// <summary>An amend or cancel names a trade this account's partition never booked.</summary>
    UnknownTrade = 23,

    /// <summary>An amend or cancel names a trade of another account.</summary>
    TradeOfAnotherAccount = 24,

    /// <summary>An amend or cancel names a trade that is already cancelled.</summary>
    TradeAlreadyCancelled = 25,

    /// <summary>An amend or cancel names a trade whose settlement is SETTLED: securities and cash have moved, so the trade
    /// is not restated in place. The desk books the correction as new trades (each with its own settlement).</summary>
    TradeAlreadySettled = 40,

    // Positions (rule 6), before anything is booked.

    /// <summary>A trade in another currency than the open position it would change (the instrument's currency changed
    /// while the position was open).</summary>
    PositionCurrencyMismatch = 30,

    /// <summary>An amend or cancel of a trade no longer in its position's restatable history
    /// (<see cref="BrokerageOptions.MaxRestatableTradesPerPosition"/>).</summary>
    RestatementBeyondHistory = 31,

    /// <summary>The resulting position (quantity, average cost, realized P&amp;L or its change) does not fit decimal(28,8).</summary>
    PositionOutOfRange = 32,

    // Settlement confirmations (rule 8, ConfirmSettlement): after MissingCommandId, MissingTradeId, UnknownTrade and
    // TradeOfAnotherAccount, which they share with the trade events.

    /// <summary>A settlement confirmation whose outcome is neither SETTLED nor FAILED (a symbol of a newer writer).</summary>
    UnknownSettlementOutcome = 41,

    /// <summary>A settlement confirmation the trade's settlement cannot take: the settlement is already SETTLED or
    /// CANCELLED (only PENDING and FAILED move), or the trade has taken <c>TradeState.MaxSettlementCommands</c> confirmations.</summary>
    SettlementTransitionRefused = 42,
}
