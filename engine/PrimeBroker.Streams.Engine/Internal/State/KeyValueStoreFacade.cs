using Confluent.Kafka;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// The typed outer layer for reading: serdes over any bytes reader. As is, it is the read-only view that interactive
/// queries and global stores expose; <see cref="KeyValueStoreFacade{TKey,TValue}"/> adds the task's writes.
/// </summary>
internal class ReadOnlyStoreFacade<TKey, TValue> : IKeyValueStore<TKey, TValue>
{
    private readonly IBytesReader _reader;

    public ReadOnlyStoreFacade(IBytesReader reader, string serdeTopic, Serde<TKey> keySerde, Serde<TValue> valueSerde)
    {
        _reader = reader;
        Serdes = new StoreSerdes<TKey, TValue>(serdeTopic, keySerde, valueSerde);
    }

    public string Name => _reader.Name;

    public long ApproximateNumEntries => _reader.ApproximateCount;

    protected StoreSerdes<TKey, TValue> Serdes { get; }

    public TValue? Get(TKey key) => TryGet(key, out var value) ? value : default;

    public bool TryGet(TKey key, out TValue? value)
    {
        var raw = _reader.Get(Serdes.Key(key));
        value = raw is null ? default : Serdes.Value(raw);
        return raw is not null;
    }

    public IEnumerable<KeyValuePair<TKey, TValue>> Range(TKey? from, TKey? to) =>
        Serdes.Decode(_reader.Range(from is null ? null : Serdes.Key(from), to is null ? null : Serdes.Key(to)));

    public IEnumerable<KeyValuePair<TKey, TValue>> All() => Serdes.Decode(_reader.Range(null, null));

    public virtual void Put(TKey key, TValue? value) => throw ReadOnly();

    public virtual TValue? PutIfAbsent(TKey key, TValue value) => throw ReadOnly();

    public virtual TValue? Delete(TKey key) => throw ReadOnly();

    private InvalidOperationException ReadOnly() =>
        new($"Store '{Name}' is read-only here (a global store, or a query view); only its owning task or topic writes it.");
}

/// <summary>The typed outer layer over a task's <see cref="TransactionalBytesStore"/>: reads and writes.</summary>
internal sealed class KeyValueStoreFacade<TKey, TValue> : ReadOnlyStoreFacade<TKey, TValue>
{
    private readonly TransactionalBytesStore _store;

    public KeyValueStoreFacade(TransactionalBytesStore store, Serde<TKey> keySerde, Serde<TValue> valueSerde)
        : base(store, store.ChangelogTopic ?? store.Name, keySerde, valueSerde) => _store = store;

    public override void Put(TKey key, TValue? value) => _store.Put(Serdes.Key(key), value is null ? null : Serdes.Value(value));

    public override TValue? PutIfAbsent(TKey key, TValue value)
    {
        if (!TryGet(key, out var existing))
        {
            Put(key, value);
        }

        return existing;
    }

    public override TValue? Delete(TKey key)
    {
        TryGet(key, out var old);
        _store.Put(Serdes.Key(key), null);
        return old;
    }
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
