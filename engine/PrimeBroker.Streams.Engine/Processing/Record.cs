using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>
/// One record flowing between processors: key, value, event timestamp and headers. Immutable; the <c>With…</c> methods
/// return copies, so a processor may forward variations of the record it received.
/// </summary>
/// <param name="Key">The key; may be null for reference types.</param>
/// <param name="Value">The value; null means a delete (tombstone) where stores and tables are concerned.</param>
/// <param name="Timestamp">Event time in milliseconds since the Unix epoch (UTC).</param>
/// <param name="Headers">Kafka headers; null when the record has none. Sinks write them to the output topic.</param>
public readonly record struct Record<TKey, TValue>(TKey Key, TValue Value, long Timestamp, Headers? Headers = null)
{
    public Record<TNewKey, TValue> WithKey<TNewKey>(TNewKey key) => new(key, Value, Timestamp, Headers);

    public Record<TKey, TNewValue> WithValue<TNewValue>(TNewValue value) => new(Key, value, Timestamp, Headers);

    public Record<TKey, TValue> WithTimestamp(long timestamp) => this with { Timestamp = timestamp };
}
