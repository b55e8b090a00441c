using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>A record read from a test topic.</summary>
/// <param name="Key">The deserialized key.</param>
/// <param name="Value">The deserialized value.</param>
/// <param name="Timestamp">The record's timestamp, ms since the Unix epoch.</param>
/// <param name="Headers">The record's headers as written (outputs to a topic the topology reads back carry the engine's
/// <c>pbs.origin</c> header),
/// or null.</param>
/// <param name="Partition">The partition it was read from.</param>
/// <typeparam name="TKey">Type of the key.</typeparam>
/// <typeparam name="TValue">Type of the value.</typeparam>
public sealed record TestRecord<TKey, TValue>(TKey Key, TValue Value, long Timestamp, Headers? Headers = null, int Partition = 0);
