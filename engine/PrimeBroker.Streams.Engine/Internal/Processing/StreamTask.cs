using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>
/// One sub-topology running for one partition: its node instances, its stores and its input positions. Everything here
/// runs on the owning stream thread (or the test driver's caller); only the committed bytes stores are read from other
/// threads by interactive queries.
/// </summary>
/// <remarks>
/// Lifecycle: constructed (stores opened) → <see cref="Restore"/> (changelog tail applied, input positions known) →
/// <see cref="Initialize"/> (processors' Init) → <see cref="Process"/> / punctuation, with the commit protocol's steps
/// driven by <see cref="TaskCommitter"/> → <see cref="Close"/>.
/// </remarks>
internal sealed partial class StreamTask : IDisposable
{
    private readonly TaskEnvironment _env;
    private readonly Topology _topology;
    private readonly Dictionary<string, TransactionalBytesStore> _stores = new();
    private readonly List<TransactionalBytesStore> _loggedStores = new();
    private readonly Dictionary<string, object> _facades = new();
    private readonly Dictionary<string, RuntimeNode> _nodes = new();
    private readonly Dictionary<string, ISourceNode> _sourcesByTopic = new();
    private readonly Dictionary<TopicPartition, long> _nextOffsets = new();
    private readonly Dictionary<TopicPartition, long> _startPositions = new();
    private PunctuationSchedule _punctuations = new();
    private long _committedStreamTime = -1;
    private readonly DeadLetterSink _deadLetterSink;
    private readonly TaskCollector _collector;
    private readonly UpstreamRepeatFilter _upstream;
    private readonly KeyValuePair<string, object?> _taskTag;
    private readonly TaskState _state;
    private StoreCheckpoint _committed = StoreCheckpoint.Empty;
    private bool _initialized;

    public StreamTask(TaskId id, SubTopology subTopology, Topology topology, TaskEnvironment env)
    {
        Id = id;
        SubTopology = subTopology;
        _topology = topology;
        _env = env;
        _deadLetterSink = new DeadLetterSink(this);
        _collector = new TaskCollector(this, env.Collector, topology.SubTopologies.SelectMany(s => s.Sources).Where(s => s.IsInternalTopic)
            .SelectMany(s => s.ResolvedTopics(env.ApplicationId)).ToHashSet());
        _taskTag = new("task", id.ToString());
        var repartitionTopics = new List<string>();
        foreach (var source in subTopology.Sources)
        {
            foreach (var resolved in source.ResolvedTopics(env.ApplicationId))
            {
                InputPartitions.Add(new TopicPartition(resolved, id.Partition));
                if (source.IsInternalTopic)
                {
                    repartitionTopics.Add(resolved);
                }
            }
        }

        _upstream = new UpstreamRepeatFilter(repartitionTopics);

        _state = env.OpenState(id, subTopology.StoreNames.Select(n => topology.Stores[n]).ToList());
        foreach (var storeName in subTopology.StoreNames)
        {
            var builder = topology.Stores[storeName];
            var inner = _state.Stores[storeName];
            var changelog = builder.LoggingEnabled ? InternalTopics.Changelog(env.ApplicationId, storeName) : null;
            var store = new TransactionalBytesStore(inner, changelog, id.Partition);
            _stores[storeName] = store;
            if (changelog is not null)
            {
                _loggedStores.Add(store);
            }
        }
    }

    public TaskId Id { get; }

    public SubTopology SubTopology { get; }

    public string ApplicationId => _env.ApplicationId;

    public List<TopicPartition> InputPartitions { get; } = new();

    /// <summary>The collector processors and sinks send through; it notes that the task has output to commit.</summary>
    public IRecordCollector Collector => _collector;

    public RecordMetadata? CurrentRecord { get; private set; }

    public long StreamTime { get; private set; } = -1;

    public long WallClockMs => _env.Clock();

    /// <summary>Changelog records applied by restores of this task.</summary>
    public long RestoredRecords { get; set; }

    /// <summary>The restore's progress for the listener, the health answer and the metrics: set by the task manager on
    /// an active task it opens to restore; null on a standby's task and in the test driver.</summary>
    internal RestoreProgress? RestoreProgress { get; set; }

    /// <summary>Changelog records restores skipped because their transaction never committed (a tail after the last
    /// marker, or an attempt whose primary marker is missing); their keys are repaired by the next commit.</summary>
    public long SkippedUncommittedRecords { get; set; }

    /// <summary>Records processed since the last commit (or rollback).</summary>
    public long UncommittedRecords { get; private set; }

    /// <summary>Input processed, output sent (a wall-clock punctuator may send without input) or stores written since
    /// the last commit.</summary>
    public bool NeedsCommit => UncommittedRecords > 0 || _collector.OutputsSinceCommit > 0 || _stores.Values.Any(s => s.IsDirty);

    /// <summary>The last committed commit sequence and input offsets.</summary>
    public StoreCheckpoint Committed => _committed;

    /// <summary>Stores by name, for interactive queries (committed data only).</summary>
    public IReadOnlyDictionary<string, TransactionalBytesStore> Stores => _stores;

    internal IReadOnlyList<TransactionalBytesStore> LoggedStores => _loggedStores;

    /// <summary>The task's committed stores and their database (tests look at the local writes through it).</summary>
    internal TaskState State => _state;

    /// <summary>The committed input position of <paramref name="tp"/> (the start position before a first commit), or -1.</summary>
    public long CommittedPosition(TopicPartition tp) =>
        _committed.InputOffsets.TryGetValue(tp, out var o) ? o : _startPositions.GetValueOrDefault(tp, -1);

    /// <summary>Next offset to process per input partition.</summary>
    public IReadOnlyDictionary<TopicPartition, long> NextOffsets => _nextOffsets;

    /// <summary>
    /// Brings the stores up to the last commit recorded in their changelogs and returns the input positions that match
    /// that state (absent for partitions the state says nothing about).
    /// </summary>
    public IReadOnlyDictionary<TopicPartition, long> Restore(IChangelogReader reader)
    {
        var restored = new TaskRestorer(this, reader).Restore();
        _committed = restored;
        _upstream.ResetTo(restored.Upstream);
        _nextOffsets.Clear();
        foreach (var (tp, offset) in restored.InputOffsets)
        {
            _nextOffsets[tp] = offset;
        }

        return restored.InputOffsets;
    }

    /// <summary>Creates the node instances and runs every processor's Init.</summary>
    public void Initialize()
    {
        foreach (var nodeName in SubTopology.NodeNames)
        {
            var definition = _topology.Nodes[nodeName];
            var node = definition.Create();
            node.Name = nodeName;
            _nodes[nodeName] = node;
        }

        foreach (var nodeName in SubTopology.NodeNames)
        {
            _nodes[nodeName].Children = _topology.Nodes[nodeName].Children.Where(_nodes.ContainsKey).Select(c => _nodes[c]).ToArray();
        }

        foreach (var source in SubTopology.Sources)
        {
            foreach (var resolved in source.ResolvedTopics(_env.ApplicationId))
            {
                _sourcesByTopic[resolved] = (ISourceNode)_nodes[source.Name];
            }
        }

        // Init children before parents is not required: processors only forward while processing.
        foreach (var node in _nodes.Values)
        {
            node.Init(this);
        }

        _initialized = true;
    }

    /// <summary>Processes one consumed record: deserialize, run the sub-topology, advance the input position.</summary>
    public void Process(ConsumeResult<byte[], byte[]> raw)
    {
        if (!_sourcesByTopic.TryGetValue(raw.Topic, out var source))
        {
            throw new InvalidOperationException($"Task {Id} has no source for topic '{raw.Topic}'.");
        }

        if (_upstream.IsRepeat(raw))
        {
            _nextOffsets[raw.TopicPartition] = raw.Offset.Value + 1;
            _env.Metrics.RecordSkipped(Id, "upstream-repeat");
            return;
        }

        CurrentRecord = new RecordMetadata(raw.Topic, raw.Partition.Value, raw.Offset.Value);
        _collector.BeginRecord();
        var timestamp = raw.Message.Timestamp.UnixTimestampMs;
        if (timestamp > StreamTime)
        {
            StreamTime = timestamp;
        }

        try
        {
            source.ProcessRaw(raw);
        }
        catch (ProcessorFailure failure)
        {
            var ex = failure.InnerException!;
            var context = new ErrorContext(raw.Topic, raw.Partition.Value, raw.Offset.Value, raw.Message.Key, raw.Message.Value, raw.Message.Headers);
            var response = _env.ProcessingHandler.Handle(context, failure.ProcessorName, ex, _deadLetterSink);
            if (response == HandlerResponse.Fail)
            {
                throw new TaskFailedException(Id, $"processing {raw.TopicPartitionOffset} failed", ex);
            }

            _env.Metrics.RecordSkipped(Id, "processing");
        }

        _nextOffsets[raw.TopicPartition] = raw.Offset.Value + 1;
        UncommittedRecords++;
        _env.Metrics.RecordProcessed(_taskTag);
        CurrentRecord = null;
        PunctuateStreamTime();
    }

    /// <summary>Runs wall-clock punctuators that are due.</summary>
    public void PunctuateWallClock(long now)
    {
        if (!_initialized || _punctuations.IsEmpty)
        {
            return;
        }

        foreach (var action in _punctuations.DueWallClock(now))
        {
            RunPunctuator(action, now);
        }
    }

    public ICancellable Schedule(TimeSpan interval, PunctuationType type, Action<long> action) =>
        _punctuations.Add(interval, type, action, type == PunctuationType.WallClockTime ? WallClockMs : Math.Max(StreamTime, 0));

    public bool IsGlobalStore(string name) => _env.GlobalStores.ContainsKey(name);

    public IKeyValueStore<TKey, TValue> GetStore<TKey, TValue>(string name)
    {
        if (_facades.TryGetValue(name, out var cached))
        {
            return cached as IKeyValueStore<TKey, TValue> ?? throw WrongTypes(name, typeof(TKey), typeof(TValue));
        }

        if (_topology.Stores.GetValueOrDefault(name) is not KeyValueStoreBuilder<TKey, TValue> builder)
        {
            throw _topology.Stores.ContainsKey(name) ? WrongTypes(name, typeof(TKey), typeof(TValue)) : new InvalidOperationException($"Unknown store '{name}'.");
        }

        IKeyValueStore<TKey, TValue> facade = _stores.TryGetValue(name, out var store)
            ? new KeyValueStoreFacade<TKey, TValue>(store, builder.KeySerde, builder.ValueSerde)
            : new ReadOnlyStoreFacade<TKey, TValue>(_env.GlobalStores[name], _topology.GlobalStores.First(g => g.StoreName == name).Topic, builder.KeySerde, builder.ValueSerde);
        _facades[name] = facade;
        return facade;
    }

    internal void HandleDeserializationError(ConsumeResult<byte[], byte[]> raw, Exception ex)
    {
        var context = new ErrorContext(raw.Topic, raw.Partition.Value, raw.Offset.Value, raw.Message.Key, raw.Message.Value, raw.Message.Headers);
        _env.Metrics.RecordSkipped(Id, "deserialization");
        if (_env.DeserializationHandler.Handle(context, ex, _deadLetterSink) == HandlerResponse.Fail)
        {
            throw new TaskFailedException(Id, $"record {raw.TopicPartitionOffset} could not be deserialized", ex);
        }
    }

    internal void HandleProductionError(string topic, Exception ex)
    {
        if (_env.ProductionHandler.Handle(topic, ex) == HandlerResponse.Fail)
        {
            throw new TaskFailedException(Id, $"a record for '{topic}' could not be serialized", ex);
        }
    }

    /// <summary>After an out-of-range reset the source declared: processing continues at <paramref name="offset"/>,
    /// and a rollback returns there too.</summary>
    public void ResetPosition(TopicPartition tp, long offset)
    {
        _nextOffsets[tp] = offset;
        _startPositions[tp] = offset;
    }

    /// <summary>Sets positions for partitions the state said nothing about (group offsets or reset policy).</summary>
    public void SetStartPosition(TopicPartition tp, long offset)
    {
        if (_nextOffsets.TryAdd(tp, offset))
        {
            _startPositions[tp] = offset;
        }
    }

    public void Close()
    {
        if (_initialized)
        {
            CloseNodes();
        }

        Dispose();
    }

    private void CloseNodes()
    {
        foreach (var node in _nodes.Values)
        {
            node.Close();
        }
    }

    public void Dispose()
    {
        // Closed before its restore completed (revoked, failed, stopping): the listener hears that it was suspended.
        RestoreProgress?.Suspend();
        _state.Dispose();
    }

    /// <summary>Starts writing the task's committed state to disk (a suspended task: a kill then needs a shorter
    /// restore).</summary>
    public void FlushState() => _state.Flush();

    private void PunctuateStreamTime()
    {
        if (_punctuations.IsEmpty)
        {
            return;
        }

        foreach (var action in _punctuations.DueStreamTime(StreamTime))
        {
            RunPunctuator(action, StreamTime);
        }
    }

    private void RunPunctuator(Action<long> action, long time)
    {
        try
        {
            action(time);
        }
        catch (Exception ex) when (ex is not TaskFailedException and not Confluent.Kafka.KafkaException)
        {
            throw new TaskFailedException(Id, $"a punctuator failed at {time}", ex is ProcessorFailure f ? f.InnerException! : ex);
        }
    }

    private static InvalidOperationException WrongTypes(string name, Type key, Type value) =>
        new($"Store '{name}' is not a key-value store of <{key.Name}, {value.Name}>.");

    private sealed class DeadLetterSink : IDeadLetterSink
    {
        private readonly StreamTask _task;

        public DeadLetterSink(StreamTask task) => _task = task;

        public void Send(string topic, byte[]? key, byte[]? value, Headers headers) =>
            _task.Collector.Send(topic, null, key, value, headers, _task.WallClockMs);
    }
}
