using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>Reads a topic of a <see cref="TopologyTestDriver"/>; each read consumes, like a consumer advancing.</summary>
/// <remarks>Reads what the topic holds now, partition by partition (partition 0 first), in offset order within a
/// partition, as a read_committed consumer sees it: records of an open transaction appear once it commits (with
/// <see cref="TopologyTestDriverOptions.AutoCommit"/>, at the end of each pipe call), aborted ones never. With
/// <see cref="TopologyTestDriverOptions.EmulateEmbeddedClusterLimits"/> both are shown, as on the embedded cluster. Each
/// instance keeps its own read position, so two instances over one
/// topic both see every record. Not thread-safe. Create it with
/// <see cref="TopologyTestDriver.CreateOutputTopic{TKey,TValue}"/>.</remarks>
/// <typeparam name="TKey">Type of the keys.</typeparam>
/// <typeparam name="TValue">Type of the values.</typeparam>
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

    /// <summary>Whether every record of the topic has been read by this instance.</summary>
    public bool IsEmpty => !Unread().Any();

    /// <summary>The next unread record (partition order, then offset).</summary>
    /// <exception cref="InvalidOperationException">Nothing left to read.</exception>
    public TestRecord<TKey, TValue> ReadRecord() =>
        ReadRecordsToList(1).FirstOrDefault() ?? throw new InvalidOperationException($"No unread record in '{_topic}'.");

    /// <summary>The key and value of the next unread record.</summary>
    /// <returns>The pair.</returns>
    /// <exception cref="InvalidOperationException">Nothing left to read.</exception>
    public KeyValuePair<TKey, TValue> ReadKeyValue()
    {
        var r = ReadRecord();
        return new(r.Key, r.Value);
    }

    /// <summary>The value of the next unread record.</summary>
    /// <returns>The value (null for a tombstone of a reference type).</returns>
    /// <exception cref="InvalidOperationException">Nothing left to read.</exception>
    public TValue ReadValue() => ReadRecord().Value;

    /// <summary>Reads up to <paramref name="max"/> unread records.</summary>
    /// <param name="max">Most records to read; default all.</param>
    /// <returns>The records in read order; empty when nothing is left.</returns>
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

    /// <summary>Reads every unread record.</summary>
    /// <returns>Their keys and values in read order.</returns>
    public IReadOnlyList<KeyValuePair<TKey, TValue>> ReadKeyValuesToList() => ReadRecordsToList().Select(r => new KeyValuePair<TKey, TValue>(r.Key, r.Value)).ToList();

    /// <summary>The last value per key among the unread records (all are read).</summary>
    /// <returns>The map; a key whose last record is a tombstone maps to null.</returns>
    /// <exception cref="InvalidOperationException">A record has a null key.</exception>
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
