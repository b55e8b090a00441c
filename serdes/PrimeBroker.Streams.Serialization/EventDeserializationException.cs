namespace PrimeBroker.Streams.Serialization;

/// <summary>Why bytes could not be turned into an event. See <see cref="EventDeserializationException"/>.</summary>
public enum DeserializationFailureReason
{
    /// <summary>The value was null (a tombstone) or had no bytes.</summary>
    EmptyPayload,

    /// <summary>Fewer than the 5 header bytes (magic byte + schema id).</summary>
    HeaderTooShort,

    /// <summary>The first byte is not the Confluent magic byte 0.</summary>
    UnknownMagicByte,

    /// <summary>The registry does not know the schema id in the header.</summary>
    UnknownSchemaId,

    /// <summary>The writer schema is not a record type expected on this topic (or not an Avro record at all).</summary>
    UnexpectedRecordType,

    /// <summary>The writer schema has the expected name but cannot be resolved against the reader schema.</summary>
    IncompatibleSchema,

    /// <summary>The Avro body is truncated, corrupt, or followed by extra bytes.</summary>
    CorruptBody,

    /// <summary>
    /// The registry could not be asked (unreachable, timeout, server error). Transient: the bytes may well be valid,
    /// so do not dead-letter the record for this reason; retry or stop.
    /// </summary>
    SchemaRegistryUnavailable,
}

/// <summary>
/// The only exception the Avro deserializers of this assembly throw: the bytes of one record could not be read as an
/// event. <see cref="Reason"/> says why; <see cref="SchemaId"/> is set once the header was read.
/// </summary>
public sealed class EventDeserializationException : Exception
{
    public EventDeserializationException(
        DeserializationFailureReason reason, string message, int? schemaId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        SchemaId = schemaId;
    }

    /// <summary>Why the record could not be read.</summary>
    public DeserializationFailureReason Reason { get; }

    /// <summary>The schema id from the header, or null if the header was not valid.</summary>
    public int? SchemaId { get; }
}
