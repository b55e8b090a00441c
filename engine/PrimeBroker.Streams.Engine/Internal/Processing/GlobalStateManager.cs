using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>
/// Keeps every global store fed from all partitions of its topic: a restore to the end of the topic before the stream
/// threads start, then a background thread that follows it. The topic is the store's changelog, so the local
/// checkpoint holds the topic's offsets.
/// </summary>
internal sealed class GlobalStateManager : IDisposable
{
    private readonly Topology _topology;
    private readonly StreamsConfig _config;
    private readonly KafkaClients _clients;
    private readonly ILogger _logger;
    private readonly Dictionary<string, IBytesStore> _stores = new();
    private readonly StateDatabase? _database;
    private readonly Dictionary<string, string> _storeByTopic = new();
    private readonly Dictionary<string, long> _sequence = new();
    private IConsumer<byte[], byte[]>? _consumer;
    private Thread? _thread;
    private volatile bool _stop;

    public GlobalStateManager(Topology topology, StreamsConfig config, KafkaClients clients, ILoggerFactory loggerFactory, RocksDbMemory memory)
    {
        _topology = topology;
        _config = config;
        _clients = clients;
        _logger = loggerFactory.CreateLogger<GlobalStateManager>();
        // One database for the persistent global stores, as for a task's stores. No write-ahead log: the global topic is
        // the changelog, and the checkpoint (the topic's offsets) is written in the same batch as the data.
        var persistent = topology.GlobalStores.Where(g => g.Kind == StoreKind.Persistent).Select(g => g.StoreName).ToList();
        _database = persistent.Count == 0
            ? null
            : StateDatabase.Open(Path.Combine(config.StateDirectory, config.ApplicationId, "global"), persistent, changelogged: true, memory);
        foreach (var global in topology.GlobalStores)
        {
            _stores[global.StoreName] = _database?.Stores.GetValueOrDefault(global.StoreName) as IBytesStore ?? new InMemoryBytesStore(global.StoreName);
            _storeByTopic[global.Topic] = global.StoreName;
        }
    }

    public IReadOnlyDictionary<string, IBytesStore> Stores => _stores;

    public Exception? Error { get; private set; }

    /// <summary>Reads every global topic to its end (as of now), then follows it on a background thread.</summary>
    public void Start(IReadOnlyDictionary<string, int> partitionCounts)
    {
        if (_stores.Count == 0)
        {
            return;
        }

        _consumer = _clients.GlobalConsumer();

        var assignment = new List<TopicPartitionOffset>();
        var ends = new Dictionary<TopicPartition, long>();
        foreach (var (topic, storeName) in _storeByTopic)
        {
            var offsets = _stores[storeName].Checkpoint?.Checkpoint.InputOffsets ?? new Dictionary<TopicPartition, long>();
            _sequence[storeName] = _stores[storeName].Checkpoint?.Checkpoint.CommitSequence ?? 0;
            for (var p = 0; p < partitionCounts[topic]; p++)
            {
                var tp = new TopicPartition(topic, p);
                var watermarks = _consumer.QueryWatermarkOffsets(tp, _config.RequestTimeout);
                // Reference data: a topic whose head was deleted is read from its log start (no exactly-once state here).
                var from = offsets.TryGetValue(tp, out var o) && o >= watermarks.Low.Value ? o : watermarks.Low.Value;
                assignment.Add(new TopicPartitionOffset(tp, from));
                if (watermarks.High.Value > from)
                {
                    ends[tp] = watermarks.High.Value;
                }
            }
        }

        _consumer.Assign(assignment);
        var restored = new Dictionary<string, long>();
        var deadline = DateTime.UtcNow + _config.RequestTimeout;
        while (ends.Count > 0)
        {
            var batch = Poll(TimeSpan.FromMilliseconds(200), 10_000, restored, ends);
            if (batch == 0 && DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Global stores did not reach the end of [{string.Join(", ", ends.Keys)}] within {_config.RequestTimeout}.");
            }

            if (batch > 0)
            {
                deadline = DateTime.UtcNow + _config.RequestTimeout;
            }
        }

        foreach (var (topic, store) in _storeByTopic)
        {
            _logger.GlobalRestored(store, topic, restored.GetValueOrDefault(store));
        }

        _thread = new Thread(Follow) { IsBackground = true, Name = _config.ApplicationId + "-GlobalThread" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop = true;
        _thread?.Join(_config.RequestTimeout);
        _consumer?.Close();
        _consumer?.Dispose();
        foreach (var store in _stores.Values)
        {
            store.Dispose();
        }

        _database?.Dispose();
    }

    private void Follow()
    {
        try
        {
            while (!_stop)
            {
                Poll(TimeSpan.FromMilliseconds(100), 1000, null, null);
            }
        }
        catch (Exception ex)
        {
            Error = ex;
            _logger.ThreadFailed(_thread?.Name ?? "global", ex);
        }
    }

    /// <summary>Consumes up to <paramref name="max"/> records and applies them per store in one batch with the new offsets.</summary>
    private int Poll(TimeSpan timeout, int max, Dictionary<string, long>? restored, Dictionary<TopicPartition, long>? ends)
    {
        var writes = new Dictionary<string, List<KeyValuePair<byte[], byte[]?>>>();
        var positions = new Dictionary<string, Dictionary<TopicPartition, long>>();
        var count = 0;
        while (count < max)
        {
            var result = _consumer!.Consume(count == 0 ? timeout : TimeSpan.Zero);
            if (result is null)
            {
                break;
            }

            if (result.IsPartitionEOF)
            {
                if (ends is not null && ends.TryGetValue(result.TopicPartition, out var end) && result.Offset.Value >= end)
                {
                    ends.Remove(result.TopicPartition);
                }

                continue;
            }

            var store = _storeByTopic[result.Topic];
            (writes.TryGetValue(store, out var list) ? list : writes[store] = new()).Add(new(result.Message.Key ?? [], result.Message.Value));
            (positions.TryGetValue(store, out var map) ? map : positions[store] = new())[result.TopicPartition] = result.Offset.Value + 1;
            if (ends is not null && ends.TryGetValue(result.TopicPartition, out var e) && result.Offset.Value + 1 >= e)
            {
                ends.Remove(result.TopicPartition);
            }

            count++;
        }

        foreach (var (storeName, list) in writes)
        {
            var store = _stores[storeName];
            var offsets = new Dictionary<TopicPartition, long>(store.Checkpoint?.Checkpoint.InputOffsets ?? new Dictionary<TopicPartition, long>());
            foreach (var (tp, next) in positions[storeName])
            {
                offsets[tp] = next;
            }

            var seq = ++_sequence[storeName];
            store.Apply(list, new LocalCheckpoint(new StoreCheckpoint(seq, offsets), 0));
            if (restored is not null)
            {
                restored[storeName] = restored.GetValueOrDefault(storeName) + list.Count;
            }
        }

        return count;
    }
}
