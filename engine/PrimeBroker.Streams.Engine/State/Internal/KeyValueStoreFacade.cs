using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.State.Internal;

/// <summary>The typed outer layer over a task's <see cref="TransactionalBytesStore"/>.</summary>
internal sealed class KeyValueStoreFacade<TKey, TValue> : IKeyValueStore<TKey, TValue>
{
    private readonly TransactionalBytesStore _store;
    private readonly StoreSerdes<TKey, TValue> _serdes;

    public KeyValueStoreFacade(TransactionalBytesStore store, Serde<TKey> keySerde, Serde<TValue> valueSerde)
    {
        _store = store;
        _serdes = new StoreSerdes<TKey, TValue>(store.ChangelogTopic ?? store.Name, keySerde, valueSerde);
    }

    public string Name => _store.Name;

    public long ApproximateNumEntries => _store.ApproximateCount;

    public TValue? Get(TKey key)
    {
        var raw = _store.Get(_serdes.Key(key));
        return raw is null ? default : _serdes.Value(raw);
    }

    public bool TryGet(TKey key, out TValue? value)
    {
        var raw = _store.Get(_serdes.Key(key));
        value = raw is null ? default : _serdes.Value(raw);
        return raw is not null;
    }

    public void Put(TKey key, TValue? value) => _store.Put(_serdes.Key(key), value is null ? null : _serdes.Value(value));

    public TValue? PutIfAbsent(TKey key, TValue value)
    {
        if (!TryGet(key, out var existing))
        {
            Put(key, value);
        }

        return existing;
    }

    public TValue? Delete(TKey key)
    {
        var old = Get(key);
        _store.Put(_serdes.Key(key), null);
        return old;
    }

    public IEnumerable<KeyValuePair<TKey, TValue>> Range(TKey? from, TKey? to) =>
        _serdes.Decode(_store.Range(from is null ? null : _serdes.Key(from), to is null ? null : _serdes.Key(to)));

    public IEnumerable<KeyValuePair<TKey, TValue>> All() => _serdes.Decode(_store.Range(null, null));
}

/// <summary>A read-only typed view of committed bytes: what interactive queries and global stores expose.</summary>
internal sealed class ReadOnlyStoreFacade<TKey, TValue> : IKeyValueStore<TKey, TValue>
{
    private readonly IBytesStore _store;
    private readonly StoreSerdes<TKey, TValue> _serdes;

    public ReadOnlyStoreFacade(IBytesStore store, string serdeTopic, Serde<TKey> keySerde, Serde<TValue> valueSerde)
    {
        _store = store;
        _serdes = new StoreSerdes<TKey, TValue>(serdeTopic, keySerde, valueSerde);
    }

    public string Name => _store.Name;

    public long ApproximateNumEntries => _store.ApproximateCount;

    public TValue? Get(TKey key)
    {
        var raw = _store.Get(_serdes.Key(key));
        return raw is null ? default : _serdes.Value(raw);
    }

    public bool TryGet(TKey key, out TValue? value)
    {
        var raw = _store.Get(_serdes.Key(key));
        value = raw is null ? default : _serdes.Value(raw);
        return raw is not null;
    }

    public IEnumerable<KeyValuePair<TKey, TValue>> Range(TKey? from, TKey? to) =>
        _serdes.Decode(_store.Range(from is null ? null : _serdes.Key(from), to is null ? null : _serdes.Key(to)));

    public IEnumerable<KeyValuePair<TKey, TValue>> All() => _serdes.Decode(_store.Range(null, null));

    public void Put(TKey key, TValue? value) => throw ReadOnly();

    public TValue? PutIfAbsent(TKey key, TValue value) => throw ReadOnly();

    public TValue? Delete(TKey key) => throw ReadOnly();

    private InvalidOperationException ReadOnly() =>
        new($"Store '{Name}' is read-only here (a global store, or a query view); only its owning task or topic writes it.");
}

/// <summary>Serialization of store keys and values; the context names the changelog topic so registry-backed serdes
/// get a stable subject.</summary>
internal sealed class StoreSerdes<TKey, TValue>
{
    private readonly Serde<TKey> _keySerde;
    private readonly Serde<TValue> _valueSerde;
    private readonly SerializationContext _keyContext;
    private readonly SerializationContext _valueContext;

    public StoreSerdes(string topic, Serde<TKey> keySerde, Serde<TValue> valueSerde)
    {
        _keySerde = keySerde;
        _valueSerde = valueSerde;
        _keyContext = new SerializationContext(MessageComponentType.Key, topic);
        _valueContext = new SerializationContext(MessageComponentType.Value, topic);
    }

    public byte[] Key(TKey key) => _keySerde.Serializer.Serialize(key, _keyContext)
        ?? throw new ArgumentException("A store key must not serialize to null.", nameof(key));

    public byte[] Value(TValue value) => _valueSerde.Serializer.Serialize(value, _valueContext);

    public TKey Key(byte[] raw) => _keySerde.Deserializer.Deserialize(raw, false, _keyContext);

    public TValue Value(byte[] raw) => _valueSerde.Deserializer.Deserialize(raw, false, _valueContext);

    public IEnumerable<KeyValuePair<TKey, TValue>> Decode(IReadOnlyList<KeyValuePair<byte[], byte[]>> raw)
    {
        foreach (var (k, v) in raw)
        {
            yield return new(Key(k), Value(v));
        }
    }
}
