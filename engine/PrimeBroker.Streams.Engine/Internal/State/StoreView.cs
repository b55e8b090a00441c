using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// A read-only view of one store over several tasks' bytes readers (a key lives in one task), or over a global store.
/// The runtime's interactive queries pass the committed bytes stores; the test driver passes the tasks' overlays, so
/// its reads include uncommitted writes as the processors see them.
/// </summary>
/// <remarks>Thread-safe as far as the readers are. A reader whose task closed mid-read (a rebalance), or a view whose
/// <c>unavailable</c> check names a reason (the instance is rebalancing or restoring), fails the read with
/// <see cref="StoreUnavailableException"/>: a partial or empty answer would look like real data.</remarks>
internal sealed class StoreView<TKey, TValue> : IReadOnlyKeyValueStore<TKey, TValue>
{
    private readonly string _serdeTopic;
    private readonly Serde<TKey> _keySerde;
    private readonly Serde<TValue> _valueSerde;
    private readonly Func<IEnumerable<IBytesReader>> _readers;
    private readonly Func<string?> _unavailable;

    private StoreView(string name, string serdeTopic, Serde<TKey> keySerde, Serde<TValue> valueSerde, Func<IEnumerable<IBytesReader>> readers, Func<string?>? unavailable)
    {
        _unavailable = unavailable ?? (() => null);
        Name = name;
        _serdeTopic = serdeTopic;
        _keySerde = keySerde;
        _valueSerde = valueSerde;
        _readers = readers;
    }

    public string Name { get; }

    public long ApproximateNumEntries => Each(r => r.ApproximateCount).Sum();

    /// <summary>A view of store <paramref name="name"/> of <paramref name="topology"/>.</summary>
    /// <remarks><c>unavailable</c> is asked before and after each read: a reason the store cannot be queried now, or null
    /// (the test driver passes none).</remarks>
    /// <exception cref="ArgumentException">No such store, or its key and value types differ.</exception>
    public static StoreView<TKey, TValue> Create(Topology topology, string applicationId, string name, Func<IEnumerable<IBytesReader>> readers, Func<string?>? unavailable = null)
    {
        if (topology.Stores.GetValueOrDefault(name) is not KeyValueStoreBuilder<TKey, TValue> builder)
        {
            throw new ArgumentException(topology.Stores.ContainsKey(name)
                ? $"Store '{name}' is not a key-value store of <{typeof(TKey).Name}, {typeof(TValue).Name}>."
                : $"The topology has no store named '{name}'.", nameof(name));
        }

        return new StoreView<TKey, TValue>(name, SerdeTopic(topology, applicationId, name), builder.KeySerde, builder.ValueSerde, readers, unavailable);
    }

    /// <summary>
    /// The topic a store's keys and values are serialized against (registry-backed serdes derive their subject from it),
    /// the same for every reader and writer: a global store's topic, a logged store's changelog, else the store's name.
    /// </summary>
    public static string SerdeTopic(Topology topology, string applicationId, string storeName) =>
        topology.GlobalStores.FirstOrDefault(g => g.StoreName == storeName)?.Topic
        ?? (topology.Stores.TryGetValue(storeName, out var builder) && builder.LoggingEnabled ? InternalTopics.Changelog(applicationId, storeName) : storeName);

    public TValue? Get(TKey key) => TryGet(key, out var value) ? value : default;

    public bool TryGet(TKey key, out TValue? value)
    {
        foreach (var (found, stored) in Each(r => View(r).TryGet(key, out var v) ? (true, v) : (false, default(TValue))))
        {
            if (found)
            {
                value = stored;
                return true;
            }
        }

        value = default;
        return false;
    }

    public IEnumerable<KeyValuePair<TKey, TValue>> Range(TKey? from, TKey? to) => Merge(Each(r => View(r).Range(from, to).ToList()));

    public IEnumerable<KeyValuePair<TKey, TValue>> All() => Merge(Each(r => View(r).All().ToList()));

    /// <summary>Each task's entries are ordered; across tasks the order is restored by the serialized key.</summary>
    private List<KeyValuePair<TKey, TValue>> Merge(List<List<KeyValuePair<TKey, TValue>>> perTask)
    {
        if (perTask.Count == 1)
        {
            return perTask[0];
        }

        var context = new SerializationContext(MessageComponentType.Key, _serdeTopic);
        return perTask.SelectMany(x => x).OrderBy(e => _keySerde.Serializer.Serialize(e.Key, context), ByteArrayComparer.Instance).ToList();
    }

    private ReadOnlyStoreFacade<TKey, TValue> View(IBytesReader reader) => new(reader, _serdeTopic, _keySerde, _valueSerde);

    private List<T> Each<T>(Func<IBytesReader, T> read)
    {
        if (_unavailable() is { } before)
        {
            throw new StoreUnavailableException(Name, before);
        }

        var results = new List<T>();
        foreach (var reader in _readers())
        {
            try
            {
                results.Add(read(reader));
            }
            catch (ObjectDisposedException ex)
            {
                // The task closed (rebalance) between listing and reading: its partition's data is missing from the
                // answer, which must not pass for a complete one.
                throw new StoreUnavailableException(Name, "a task closed during the read (rebalance)", ex);
            }
        }

        // A rebalance that started during the read may have swapped tasks under it.
        if (_unavailable() is { } after)
        {
            throw new StoreUnavailableException(Name, after);
        }

        return results;
    }
}
