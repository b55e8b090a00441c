using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>
/// One record flowing between processors: key, value, event timestamp and headers. Immutable; the <c>With…</c> methods
/// return copies, so a processor may forward variations of the record it received.
/// </summary>
/// <param name="Key">The key; may be null for reference types.</param>
/// <param name="Value">The value; null means a delete (tombstone) where stores and tables are concerned.</param>
/// <param name="Timestamp">Event time in milliseconds since the Unix epoch (UTC).</param>
/// <param name="Headers">Kafka headers; null when the record has none. Sinks write them to the output topic. The
/// <see cref="Confluent.Kafka.Headers"/> object is shared by the copies the <c>With…</c> methods make, not cloned: to
/// change headers, forward a record with a new <see cref="Confluent.Kafka.Headers"/> instance.</param>
/// <typeparam name="TKey">Type of the key.</typeparam>
/// <typeparam name="TValue">Type of the value.</typeparam>
public readonly record struct Record<TKey, TValue>(TKey Key, TValue Value, long Timestamp, Headers? Headers = null)
{
    /// <summary>A copy with another key (of any type); value, timestamp and headers stay.</summary>
    /// <param name="key">The new key; may be null.</param>
    /// <typeparam name="TNewKey">Type of the new key.</typeparam>
    /// <returns>The new record.</returns>
    public Record<TNewKey, TValue> WithKey<TNewKey>(TNewKey key) => new(key, Value, Timestamp, Headers);

    /// <summary>A copy with another value (of any type); key, timestamp and headers stay.</summary>
    /// <param name="value">The new value; may be null.</param>
    /// <typeparam name="TNewValue">Type of the new value.</typeparam>
    /// <returns>The new record.</returns>
    public Record<TKey, TNewValue> WithValue<TNewValue>(TNewValue value) => new(Key, value, Timestamp, Headers);

    /// <summary>A copy with another timestamp; key, value and headers stay.</summary>
    /// <param name="timestamp">Event time in milliseconds since the Unix epoch (UTC).</param>
    /// <returns>The new record.</returns>
    public Record<TKey, TValue> WithTimestamp(long timestamp) => this with { Timestamp = timestamp };
}
