using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>Pipes records into a topic of a <see cref="TopologyTestDriver"/>; each is processed before the call returns.</summary>
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
    public void PipeInput(TKey key, TValue value, long? timestamp = null, Headers? headers = null)
    {
        var ts = timestamp ?? _nextTimestamp++;
        _nextTimestamp = Math.Max(_nextTimestamp, ts + 1);
        var keyBytes = key is null ? null : _keySerde.Serializer.Serialize(key, new SerializationContext(MessageComponentType.Key, _topic, headers));
        var valueBytes = value is null ? null : _valueSerde.Serializer.Serialize(value, new SerializationContext(MessageComponentType.Value, _topic, headers));
        _driver.Pipe(_topic, keyBytes, valueBytes, headers, ts);
    }

    /// <summary>Pipes raw bytes, e.g. a corrupt record for error-handling tests.</summary>
    public void PipeRaw(byte[]? key, byte[]? value, long? timestamp = null, Headers? headers = null) =>
        _driver.Pipe(_topic, key, value, headers, timestamp ?? _nextTimestamp++);

    public void PipeKeyValueList(IEnumerable<KeyValuePair<TKey, TValue>> records)
    {
        foreach (var (key, value) in records)
        {
            PipeInput(key, value);
        }
    }
}
