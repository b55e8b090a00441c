using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>A record read from or piped into a test topic.</summary>
public sealed record TestRecord<TKey, TValue>(TKey Key, TValue Value, long Timestamp, Headers? Headers = null, int Partition = 0);
