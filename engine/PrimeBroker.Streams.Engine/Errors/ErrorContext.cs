using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>The context of a failed record.</summary>
/// <param name="Topic">Source topic of the record (for production errors: the output topic).</param>
/// <param name="Partition">Source partition, or -1.</param>
/// <param name="Offset">Source offset, or -1.</param>
/// <param name="Key">The raw key bytes as consumed, when known.</param>
/// <param name="Value">The raw value bytes as consumed, when known.</param>
/// <param name="Headers">The record's headers, when known.</param>
public sealed record ErrorContext(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, Headers? Headers);
