using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>Pipes records into a topic of a <see cref="TopologyTestDriver"/>; each is processed before the call returns.</summary>
/// <remarks>Records go to the partition murmur2 of the serialized key selects (partition 0 for a null key), as a
/// Java producer would. Not thread-safe, like the driver. Exceptions of the processing (for example a
/// <see cref="Errors.TaskFailedException"/>) are thrown from the pipe call. Create it with
/// <see cref="TopologyTestDriver.CreateInputTopic{TKey,TValue}"/>.</remarks>
/// <typeparam name="TKey">Type of the keys.</typeparam>
/// <typeparam name="TValue">Type of the values.</typeparam>
public sealed class TestInputTopic<TKey, TValue>
{
    private readonly TopologyTestDriver _driver;
    private readonly string _topic;
    private readonly Serde<TKey> _keySerde;
    private readonly Serde<TValue> _valueSerde;
    private long _nextTimestamp;

    internal TestInputTopic(TopologyTestDriver driver, string topic, Serde<TKey> keySerde, Serde<TValue> valueSerde)
    {
        _driver = driver;
        _topic = topic;
        _keySerde = keySerde;
        _valueSerde = valueSerde;
        _nextTimestamp = DateTimeOffset.UnixEpoch.AddYears(56).ToUnixTimeMilliseconds();
    }

    /// <summary>Pipes one record. Without a timestamp, each record is 1 ms after the previous one.</summary>
    /// <param name="key">The key, serialized with the topic's key serde; null stays null.</param>
    /// <param name="value">The value, serialized with the topic's value serde; null stays null (a tombstone).</param>
    /// <param name="timestamp">Event time in ms since the Unix epoch; null for the next automatic timestamp
    /// (2026-01-01T00:00:00Z first, then 1 ms after the previous record or after the highest timestamp given
    /// here).</param>
    /// <param name="headers">Headers of the record, or null.</param>
    public void PipeInput(TKey key, TValue value, long? timestamp = null, Headers? headers = null)
    {
        var ts = timestamp ?? _nextTimestamp++;
        _nextTimestamp = Math.Max(_nextTimestamp, ts + 1);
        var keyBytes = key is null ? null : _keySerde.Serializer.Serialize(key, new SerializationContext(MessageComponentType.Key, _topic, headers));
        var valueBytes = value is null ? null : _valueSerde.Serializer.Serialize(value, new SerializationContext(MessageComponentType.Value, _topic, headers));
        _driver.Pipe(_topic, keyBytes, valueBytes, headers, ts);
    }

    /// <summary>Pipes raw bytes, e.g. a corrupt record for error-handling tests.</summary>
    /// <param name="key">Key bytes, or null.</param>
    /// <param name="value">Value bytes, or null.</param>
    /// <param name="timestamp">Event time in ms since the Unix epoch; null for the next automatic timestamp.</param>
    /// <param name="headers">Headers of the record, or null.</param>
    public void PipeRaw(byte[]? key, byte[]? value, long? timestamp = null, Headers? headers = null) =>
        _driver.Pipe(_topic, key, value, headers, timestamp ?? _nextTimestamp++);

    /// <summary>Pipes each pair as <see cref="PipeInput"/> does with automatic timestamps, in order; each is processed
    /// (and, with auto-commit, committed) before the next.</summary>
    /// <param name="records">The key-value pairs.</param>
    public void PipeKeyValueList(IEnumerable<KeyValuePair<TKey, TValue>> records)
    {
        foreach (var (key, value) in records)
        {
            PipeInput(key, value);
        }
    }
}
