namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// Why a record of <c>trade-events</c> went to the dead-letter topic, in the order the topology checks them: when
/// several apply, the first in this list is the one reported. Every <c>FailedTradeEvent</c> carries one of these names
/// in <c>errorType</c>; the metrics and <see cref="BrokerageCounters.DeadLettered"/> count by it.
/// </summary>
/// <remarks>
/// Stages, in order: decoding the bytes (rule 1, with retries for the registry, rule 2); the fields sequencing needs;
/// sequencing (rule 3); the remaining required ids (the event consumes its sequence number from here on, rule 5);
/// idempotency (rule 4, a skip, never a dead letter); business validation (rule 5).
/// </remarks>
public enum DeadLetterReason
{
    // Decoding (rule 1): the bytes are not an event of this topic. The sequence number is unknown, so none is consumed.

    /// <summary>The value is null (a tombstone) or empty.</summary>
    EmptyPayload,

    /// <summary>Fewer than the 5 bytes of the Confluent header.</summary>
    HeaderTooShort,

    /// <summary>The first byte is not the Confluent magic byte 0.</summary>
    UnknownMagicByte,

    /// <summary>The registry does not know the schema id in the header.</summary>
    UnknownSchemaId,

    /// <summary>The writer schema is a record type this topic does not carry.</summary>
    UnexpectedRecordType,

    /// <summary>The writer schema is a version we cannot resolve into the current type ("unsupported version").</summary>
    UnsupportedSchemaVersion,

    /// <summary>The Avro body is truncated, corrupt, or followed by extra bytes.</summary>
    CorruptBody,

    /// <summary>The registry stayed unreachable through every retry (rule 2); the record carries its attempt count.</summary>
    SchemaRegistryUnavailable,

    // What sequencing needs: without it the event cannot be placed in its account's order.

    /// <summary>The event has no account id.</summary>
    MissingAccountId,

    /// <summary>The record key is missing or differs from the event's account id (it sits on another account's partition).</summary>
    AccountKeyMismatch,

    /// <summary>The sequence number is zero or negative (sequences start at 1).</summary>
    InvalidSequenceNumber,

    /// <summary>An operator command without a command id.</summary>
    MissingCommandId,

    // Sequencing (rule 3).

    /// <summary>The account already holds <see cref="BrokerageOptions.MaxHeldEventsPerAccount"/> events behind a gap.</summary>
    HeldEventsLimitReached,

    // Required ids, checked after sequencing: the event consumes its sequence number (rule 5).

    /// <summary>The event has no trade id.</summary>
    MissingTradeId,

    /// <summary>The event has no idempotency key.</summary>
    MissingIdempotencyKey,

    /// <summary>A created trade has no instrument id.</summary>
    MissingInstrumentId,

    // Business validation (rule 5), after the idempotency check.

    /// <summary>Quantity is zero or negative.</summary>
    NonPositiveQuantity,

    /// <summary>Price is zero or negative.</summary>
    NonPositivePrice,

    /// <summary>The currency is not an active ISO 4217 code.</summary>
    UnknownCurrency,

    /// <summary>The instrument is not in the instrument table.</summary>
    UnknownInstrument,

    /// <summary>The trade's currency differs from the instrument's.</summary>
    CurrencyMismatch,

    /// <summary>Quantity × price does not fit the contract's money type decimal(28,8).</summary>
    NotionalOutOfRange,

    /// <summary>A created trade reuses the id of a trade already booked (with another idempotency key).</summary>
    DuplicateTradeId,

    /// <summary>An amend or cancel names a trade this account's partition never booked.</summary>
    UnknownTrade,

    /// <summary>An amend or cancel names a trade of another account.</summary>
    TradeOfAnotherAccount,

    /// <summary>An amend or cancel names a trade that is already cancelled.</summary>
    TradeAlreadyCancelled,
}
