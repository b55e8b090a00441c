using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>
/// Runs a <see cref="Topology"/> synchronously in-process, with no broker: pipe records into input topics, read output
/// topics, inspect stores, move the wall clock, commit, and simulate crashes and restarts. It runs the engine's real
/// tasks, stores, commit protocol and restore code over in-memory topics.
/// </summary>
/// <remarks>Not thread-safe. Each <c>PipeInput</c> processes until no task has input left (following repartition
/// topics), then commits if <see cref="TopologyTestDriverOptions.AutoCommit"/> is on.</remarks>
public sealed partial class TopologyTestDriver : IQueryableStoreProvider, IDisposable
{
    private readonly Topology _topology;
    private readonly TopologyTestDriverOptions _options;
    private readonly InMemoryCluster _cluster;
    private readonly IDriverTransaction _transaction;
    private readonly Dictionary<(TopicPartition, long), int> _abortsByRecord = new();
    private readonly Dictionary<(TaskId, string), IBytesStore> _disk = new();
    private readonly Dictionary<string, IBytesStore> _globalStores = new();
    private readonly Dictionary<string, string> _globalTopics = new();
    private readonly EngineMetrics _metrics;
    private readonly PartitionPlan _plan;
    private List<StreamTask> _tasks = new();
    private long _wallClock;

    /// <summary>Creates the in-memory topics and global stores, then starts every task (restoring nothing: all
    /// topics are empty).</summary>
    /// <param name="topology">The topology to run; must not be null.</param>
    /// <param name="options">Settings; null for defaults.</param>
    /// <exception cref="TopologyException">Sources of one sub-topology have different partition counts.</exception>
    public TopologyTestDriver(Topology topology, TopologyTestDriverOptions? options = null)
    {
        _topology = topology;
        _options = options ?? new TopologyTestDriverOptions();
        _wallClock = _options.StartTime.ToUnixTimeMilliseconds();
        _metrics = new EngineMetrics(_options.ApplicationId);
        _plan = new PartitionPlan(topology, _options.ApplicationId, t => _options.Partitions.TryGetValue(t, out var n) ? n : null, _options.DefaultPartitions);
        _cluster = new InMemoryCluster(_plan.PartitionsOf, _options.EmulateEmbeddedClusterLimits);
        _transaction = _options.UseKafkaTransaction
            ? new KafkaDriverTransaction(_cluster, storeGroupOffsets: !_options.EmulateEmbeddedClusterLimits, _metrics)
            : new InMemoryTransaction(_cluster, storeGroupOffsets: !_options.EmulateEmbeddedClusterLimits);
        foreach (var global in topology.GlobalStores)
        {
            _globalStores[global.StoreName] = new InMemoryBytesStore(global.StoreName);
            _globalTopics[global.Topic] = global.StoreName;
        }

        _plan.ValidateCoPartitioning();
        StartTasks();
    }

    /// <summary>Number of committed transactions.</summary>
    public long CommitCount => _metrics.CommitsTotal;

    /// <summary>Changelog records applied by restores since the driver started.</summary>
    public long RestoredRecords => _metrics.RestoredTotal;

    /// <summary>Changelog records restores skipped because their transaction never committed.</summary>
    public long RestoreSkippedUncommittedRecords => _metrics.RestoreSkippedUncommittedTotal;

    /// <summary>For engine tests: the in-memory topics, with their real-cluster timing knobs (late markers, LSO lag).</summary>
    internal InMemoryCluster Cluster => _cluster;

    /// <summary>For engine tests: the transaction (<see cref="KafkaDriverTransaction"/> with
    /// <see cref="TopologyTestDriverOptions.UseKafkaTransaction"/>).</summary>
    internal IDriverTransaction Transaction => _transaction;

    /// <summary>For engine tests: the record count of each local batch the restores since the last
    /// <see cref="SimulateCrash"/> (or start) applied, in order; shows how much a restore holds in memory at once.</summary>
    internal List<int> RestoreBatches { get; } = new();

    /// <summary>For engine tests: the restore dies (an <see cref="IOException"/>, as a killed process or a failing disk)
    /// when it is about to apply more than this many batches; the local stores keep what was applied. Null: never.</summary>
    internal int? FailRestoreAfterBatches { get; set; }

    /// <summary>For engine tests: after a crash with a wiped state (a new instance takes over, with a transactional id of
    /// its own), the dead instance's open transaction stays open this long (simulated) before the broker aborts it.
    /// Null: it is aborted at once.</summary>
    internal TimeSpan? AbandonedTransactionTimeout { get; set; }

    /// <summary>A writer for <paramref name="topic"/>; records piped into it are processed at once.</summary>
    /// <param name="topic">The topic's name (a source or global topic of the topology; records piped into any other
    /// topic are stored but not processed).</param>
    /// <param name="keySerde">Serializes the keys piped in.</param>
    /// <param name="valueSerde">Serializes the values piped in.</param>
    /// <typeparam name="TKey">Type of the keys.</typeparam>
    /// <typeparam name="TValue">Type of the values.</typeparam>
    /// <returns>A new input topic; several may write one topic.</returns>
    public TestInputTopic<TKey, TValue> CreateInputTopic<TKey, TValue>(string topic, Serde<TKey> keySerde, Serde<TValue> valueSerde) =>
        new(this, topic, keySerde, valueSerde);

    /// <summary>A reader of <paramref name="topic"/>, starting at its first record.</summary>
    /// <param name="topic">The topic's name (internal topics by their full name).</param>
    /// <param name="keySerde">Deserializes the keys read.</param>
    /// <param name="valueSerde">Deserializes the values read.</param>
    /// <typeparam name="TKey">Type of the keys.</typeparam>
    /// <typeparam name="TValue">Type of the values.</typeparam>
    /// <returns>A new output topic with its own read position.</returns>
    public TestOutputTopic<TKey, TValue> CreateOutputTopic<TKey, TValue>(string topic, Serde<TKey> keySerde, Serde<TValue> valueSerde) =>
        new(this, topic, keySerde, valueSerde);

    /// <summary>
    /// A read-only view over the store of that name in every task (a key lives in one task), or over a global store.
    /// Reads include writes not yet committed, as the processors see them; only the topology writes a store.
    /// </summary>
    /// <param name="name">A store of the topology, global stores included.</param>
    /// <typeparam name="TKey">The store's key type, as declared in its builder.</typeparam>
    /// <typeparam name="TValue">The store's value type, as declared in its builder.</typeparam>
    /// <returns>A live view: later reads see later processing. Like the driver, not thread-safe.</returns>
    /// <exception cref="ArgumentException">The topology has no store of that name, or its key and value types are not
    /// <typeparamref name="TKey"/> and <typeparamref name="TValue"/>.</exception>
    public IReadOnlyKeyValueStore<TKey, TValue> GetKeyValueStore<TKey, TValue>(string name) =>
        StoreView<TKey, TValue>.Create(_topology, _options.ApplicationId, name, () => StoreReaders(name));

    /// <inheritdoc cref="GetKeyValueStore{TKey, TValue}"/>
    IReadOnlyKeyValueStore<TKey, TValue> IQueryableStoreProvider.Store<TKey, TValue>(string name) => GetKeyValueStore<TKey, TValue>(name);

    /// <summary>Moves the wall clock and runs the wall-clock punctuators that became due.</summary>
    public void AdvanceWallClockTime(TimeSpan by)
    {
        _wallClock += (long)by.TotalMilliseconds;
        foreach (var task in _tasks)
        {
            task.PunctuateWallClock(_wallClock);
        }

        RunUntilIdle();
        if (_options.AutoCommit)
        {
            Commit();
        }
    }

    /// <summary>Commits the open transaction of every task (no-op when nothing is uncommitted), then processes what the
    /// commit made readable (repartition records for downstream tasks); that processing stays uncommitted unless
    /// <see cref="TopologyTestDriverOptions.AutoCommit"/> is on.</summary>
    public void Commit()
    {
        CommitTasks();
        RunUntilIdle();
    }

    /// <summary>
    /// Kills the "process" at <paramref name="point"/> and restarts it: uncommitted transactions abort, local stores
    /// survive unless <paramref name="wipeLocalState"/> (a new instance taking over), tasks restore from their
    /// changelogs and reprocess their input from the recovered positions.
    /// </summary>
    public void SimulateCrash(CrashPoint point = CrashPoint.WhileProcessing, bool wipeLocalState = false)
    {
        if (point == CrashPoint.BeforePrimaryMarkers)
        {
            _crashAt = CommitStep.SecondaryMarkersWritten;
            try
            {
                CommitTasks();
            }
            catch (SimulatedCrash)
            {
            }
            finally
            {
                _crashAt = null;
            }
        }
        else if (point != CrashPoint.WhileProcessing)
        {
            var afterCommit = point == CrashPoint.AfterKafkaCommit;
            _transaction.CrashHook = committed =>
            {
                if (committed == afterCommit)
                {
                    throw new SimulatedCrash();
                }
            };
            try
            {
                CommitTasks();
            }
            catch (SimulatedCrash)
            {
            }
            finally
            {
                _transaction.CrashHook = null;
            }
        }

        _transaction.Abandon(wipeLocalState ? AbandonedTransactionTimeout : null);
        foreach (var task in _tasks)
        {
            task.Dispose();
        }

        if (wipeLocalState)
        {
            foreach (var store in _disk.Values)
            {
                store.Wipe();
            }

            _disk.Clear();
            var rocksDbRoot = _options.StateDirectory is null ? null : Path.Combine(_options.StateDirectory, _options.ApplicationId);
            if (rocksDbRoot is not null && Directory.Exists(rocksDbRoot))
            {
                Directory.Delete(rocksDbRoot, recursive: true); // the tasks above closed their RocksDB stores
            }
        }

        StartTasks();
        RunUntilIdle();
        if (_options.AutoCommit)
        {
            Commit();
        }
    }

    /// <summary>For engine tests: aborts the open transaction and rolls every task back, as a stream thread does after an
    /// abortable error; processing then resumes from the last commit.</summary>
    internal void AbortTransaction()
    {
        _transaction.Abort();
        foreach (var task in _tasks)
        {
            task.Rollback();
        }

        RunUntilIdle();
    }

    /// <summary>Deletes records before <paramref name="beforeOffset"/>, as retention or the embedded cluster's size cap would.</summary>
    public void DeleteRecords(string topic, int partition, long beforeOffset) => _cluster.Topic(topic)[partition].DeleteBefore(beforeOffset);

    /// <summary>Closes every task (processors' <c>Close</c> runs) and the stores, without committing. Call it once.</summary>
    public void Dispose()
    {
        foreach (var task in _tasks)
        {
            task.Close();
        }

        foreach (var store in _disk.Values.Concat(_globalStores.Values))
        {
            store.Dispose();
        }

        _transaction.Dispose();

        _metrics.Dispose();
    }

    internal void Pipe(string topic, byte[]? key, byte[]? value, Headers? headers, long timestamp)
    {
        var partitions = _cluster.Topic(topic);
        var partition = key is null ? 0 : Partitioning.ForKey(key, partitions.Length);
        _cluster.Append(topic, partition, new InMemoryCluster.StoredRecord(key, value, headers, timestamp, InMemoryCluster.TxnState.Committed));
        if (_globalTopics.TryGetValue(topic, out var globalStore))
        {
            var store = _globalStores[globalStore];
            store.Apply([new(key ?? [], value)], store.Checkpoint ?? new LocalCheckpoint(StoreCheckpoint.Empty, 0));
        }

        RunUntilIdle();
        if (_options.AutoCommit)
        {
            Commit();
        }
    }

    internal int PartitionCountOf(string topic) => _cluster.Topic(topic).Length;

    internal IEnumerable<(long Offset, InMemoryCluster.StoredRecord Record)> ReadPartition(string topic, int partition) =>
        _cluster.Read(topic, partition, 0);

    /// <summary>For tests of the engine: the tasks that hold store <paramref name="name"/>.</summary>
    internal IEnumerable<StreamTask> TasksWithStore(string name) => _tasks.Where(t => t.Stores.ContainsKey(name));

    private IEnumerable<IBytesReader> StoreReaders(string name) =>
        _globalStores.TryGetValue(name, out var global) ? [global] : _tasks.Select(t => t.Stores.GetValueOrDefault(name)).OfType<IBytesReader>().ToList();

    private void StartTasks()
    {
        var env = new TaskEnvironment
        {
            ApplicationId = _options.ApplicationId,
            StateDirectory = _options.StateDirectory,
            Collector = _transaction,
            Clock = () => _wallClock,
            DeserializationHandler = _options.DeserializationHandler,
            ProcessingHandler = _options.ProcessingHandler,
            ProductionHandler = _options.ProductionHandler,
            GlobalStores = _globalStores,
            Metrics = _metrics,
            StateFactory = OpenState,
        };
        var reader = new InMemoryChangelogReader(_cluster);
        _tasks = new List<StreamTask>();
        RestoreBatches.Clear();
        foreach (var sub in _topology.SubTopologies)
        {
            var partitions = _plan.TaskCount(sub);
            for (var p = 0; p < partitions; p++)
            {
                var task = new StreamTask(new TaskId(sub.Id, p), sub, _topology, env);
                _restoring = true;
                try
                {
                    task.Restore(reader);
                }
                finally
                {
                    _restoring = false;
                }

                _metrics.RecordRestored(task.RestoredRecords, task.SkippedUncommittedRecords);
                foreach (var tp in task.InputPartitions)
                {
                    task.SetStartPosition(tp, _cluster.GroupOffsets.GetValueOrDefault(tp, _cluster.Topic(tp.Topic)[tp.Partition].LogStart));
                }

                task.Initialize();
                _tasks.Add(task);
            }
        }
    }

    /// <summary>A task's stores as the engine opens them (with a state directory: the task's RocksDB database), each
    /// wrapped to observe restore batches; without one, persistent stores live in <see cref="_disk"/> and survive
    /// <see cref="SimulateCrash"/>.</summary>
    private TaskState OpenState(TaskId task, IReadOnlyList<StoreBuilder> builders)
    {
        var opened = _options.StateDirectory is null
            ? null
            : TaskState.Open(Path.Combine(_options.StateDirectory, _options.ApplicationId), task, builders, RocksDbMemory.Default);
        var stores = new Dictionary<string, IBytesStore>(StringComparer.Ordinal);
        foreach (var builder in builders)
        {
            stores[builder.Name] = new BatchObservingStore(opened?.Stores[builder.Name] ?? OpenInMemoryStore(task, builder), this);
        }

        return new TaskState(stores, opened?.Database);
    }

    private IBytesStore OpenInMemoryStore(TaskId task, StoreBuilder builder)
    {
        if (builder.Kind == StoreKind.InMemory)
        {
            return new InMemoryBytesStore(builder.Name);
        }

        if (!_disk.TryGetValue((task, builder.Name), out var store))
        {
            store = new InMemoryBytesStore(builder.Name);
            _disk[(task, builder.Name)] = store;
        }

        return store;
    }

    private sealed class SimulatedCrash : Exception;

    private bool _restoring;

    /// <summary>The step of the commit protocol where <see cref="SimulateCrash"/> stops the commit it runs, if it stops
    /// it inside <see cref="TaskCommitter"/> rather than in the transaction.</summary>
    private CommitStep? _crashAt;
}
