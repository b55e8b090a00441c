using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>A record read from or piped into a test topic.</summary>
public sealed record TestRecord<TKey, TValue>(TKey Key, TValue Value, long Timestamp, Headers? Headers = null, int Partition = 0);

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

/// <summary>Reads a topic of a <see cref="TopologyTestDriver"/>; each read consumes, like a consumer advancing.</summary>
public sealed class TestOutputTopic<TKey, TValue>
{
    private readonly TopologyTestDriver _driver;
    private readonly string _topic;
    private readonly Serde<TKey> _keySerde;
    private readonly Serde<TValue> _valueSerde;
    private readonly HashSet<(int, long)> _read = new();

    internal TestOutputTopic(TopologyTestDriver driver, string topic, Serde<TKey> keySerde, Serde<TValue> valueSerde)
    {
        _driver = driver;
        _topic = topic;
        _keySerde = keySerde;
        _valueSerde = valueSerde;
    }

    public bool IsEmpty => !Unread().Any();

    /// <summary>The next unread record (partition order, then offset).</summary>
    /// <exception cref="InvalidOperationException">Nothing left to read.</exception>
    public TestRecord<TKey, TValue> ReadRecord() =>
        ReadRecordsToList(1).FirstOrDefault() ?? throw new InvalidOperationException($"No unread record in '{_topic}'.");

    public KeyValuePair<TKey, TValue> ReadKeyValue()
    {
        var r = ReadRecord();
        return new(r.Key, r.Value);
    }

    public TValue ReadValue() => ReadRecord().Value;

    public IReadOnlyList<TestRecord<TKey, TValue>> ReadRecordsToList(int max = int.MaxValue)
    {
        var result = new List<TestRecord<TKey, TValue>>();
        foreach (var (partition, offset, record) in Unread().Take(max).ToList())
        {
            _read.Add((partition, offset));
            var key = _keySerde.Deserializer.Deserialize(record.Key, record.Key is null, new SerializationContext(MessageComponentType.Key, _topic, record.Headers));
            var value = _valueSerde.Deserializer.Deserialize(record.Value, record.Value is null, new SerializationContext(MessageComponentType.Value, _topic, record.Headers));
            result.Add(new TestRecord<TKey, TValue>(key, value, record.Timestamp, record.Headers, partition));
        }

        return result;
    }

    public IReadOnlyList<KeyValuePair<TKey, TValue>> ReadKeyValuesToList() => ReadRecordsToList().Select(r => new KeyValuePair<TKey, TValue>(r.Key, r.Value)).ToList();

    /// <summary>The last value per key among the unread records.</summary>
#pragma warning disable CS8714 // keys are checked for null below
    public IReadOnlyDictionary<TKey, TValue> ReadKeyValuesToMap()
    {
        var map = new Dictionary<TKey, TValue>();
        foreach (var record in ReadRecordsToList())
        {
            map[record.Key ?? throw new InvalidOperationException($"A record in '{_topic}' has a null key.")] = record.Value;
        }

        return map;
    }
#pragma warning restore CS8714

    private IEnumerable<(int Partition, long Offset, InMemoryCluster.StoredRecord Record)> Unread()
    {
        var partitions = _driver.PartitionCountOf(_topic);
        for (var p = 0; p < partitions; p++)
        {
            foreach (var (offset, record) in _driver.ReadPartition(_topic, p))
            {
                if (!_read.Contains((p, offset)))
                {
                    yield return (p, offset, record);
                }
            }
        }
    }
}
