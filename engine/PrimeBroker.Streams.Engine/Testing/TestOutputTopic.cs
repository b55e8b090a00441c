using Confluent.Kafka;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.State.Internal;

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

/// <summary>The driver's view of one store across all tasks.</summary>
internal sealed class DriverStoreView<TKey, TValue>(TopologyTestDriver driver, string name) : IKeyValueStore<TKey, TValue>
{
    public string Name => name;

    public long ApproximateNumEntries => Stores().Sum(s => s.ApproximateNumEntries);

    public TValue? Get(TKey key) => TryGet(key, out var value) ? value : default;

    public bool TryGet(TKey key, out TValue? value)
    {
        foreach (var store in Stores())
        {
            if (store.TryGet(key, out value))
            {
                return true;
            }
        }

        value = default;
        return false;
    }

    public IEnumerable<KeyValuePair<TKey, TValue>> Range(TKey? from, TKey? to) => Merge(Stores().SelectMany(s => s.Range(from, to)));

    public IEnumerable<KeyValuePair<TKey, TValue>> All() => Merge(Stores().SelectMany(s => s.All()));

    public void Put(TKey key, TValue? value) => throw ReadOnly();

    public TValue? PutIfAbsent(TKey key, TValue value) => throw ReadOnly();

    public TValue? Delete(TKey key) => throw ReadOnly();

    private IEnumerable<IKeyValueStore<TKey, TValue>> Stores()
    {
        var global = driver.GlobalStore(name);
        if (global is not null)
        {
            var builder = (KeyValueStoreBuilder<TKey, TValue>)driver.StoreBuilder(name);
            return [new ReadOnlyStoreFacade<TKey, TValue>(global, name, builder.KeySerde, builder.ValueSerde)];
        }

        return driver.TasksWithStore(name).Select(t => t.GetStore<TKey, TValue>(name)).ToList();
    }

    /// <summary>Each task's entries are ordered; across tasks the order is restored by the serialized key.</summary>
    private IEnumerable<KeyValuePair<TKey, TValue>> Merge(IEnumerable<KeyValuePair<TKey, TValue>> entries)
    {
        var builder = (KeyValueStoreBuilder<TKey, TValue>)driver.StoreBuilder(name);
        var context = new SerializationContext(MessageComponentType.Key, name);
        return entries.OrderBy(e => builder.KeySerde.Serializer.Serialize(e.Key, context), ByteArrayComparer.Instance).ToList();
    }

    private InvalidOperationException ReadOnly() => new($"The test driver's view of store '{name}' is read-only; write through the topology.");
}
