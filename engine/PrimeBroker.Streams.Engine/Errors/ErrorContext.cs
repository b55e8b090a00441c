using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>The input record whose deserialization or processing failed, as it was consumed.</summary>
/// <param name="Topic">Source topic of the record (internal topics with the application-id prefix).</param>
/// <param name="Partition">Source partition.</param>
/// <param name="Offset">Source offset.</param>
/// <param name="Key">The raw key bytes as consumed; null for a null key.</param>
/// <param name="Value">The raw value bytes as consumed; null for a null value (a tombstone).</param>
/// <param name="Headers">The record's headers as consumed; null when unknown. Handlers must not modify them.</param>
public sealed record ErrorContext(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, Headers? Headers);
