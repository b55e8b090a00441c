using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Internal;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.Engine;

/// <summary>
/// Runs a <see cref="Topology"/> against a Kafka cluster: the counterpart of Kafka Streams' <c>KafkaStreams</c>.
/// Instances with the same <see cref="StreamsConfig.ApplicationId"/> form one consumer group and share the partitions.
/// </summary>
/// <remarks>
/// Start: validate the config; read the source topics' partition counts (co-partitioning checked); provision the
/// changelog and repartition topics; restore global stores; start the stream threads, which restore their tasks as
/// partitions are assigned. Stop: each thread commits, closes its tasks and leaves the group. Thread-safe.
/// </remarks>
public sealed class StreamsApplication : IQueryableStoreProvider, IAsyncDisposable, IDisposable
{
    private readonly Topology _topology;
    private readonly StreamsConfig _config;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly KafkaClients _clients;
    private readonly List<StreamThread> _threads = new();
    private readonly ConcurrentQueue<Exception> _fatal = new();
    private readonly object _stateLock = new();
    private GlobalStateManager? _global;
    private InstanceDirectory? _directory;
    private StandbyTasks? _standbys;
    private RuntimeTopology? _runtime;
    private PartitionPlan? _plan;
    private StreamsState _state = StreamsState.Created;
    private StallWatchdog? _watchdog;
    private StateDirectoryLock? _stateLockFile;
    private RocksDbMemory? _rocksDbMemory;

    /// <summary>Prepares an application; nothing connects to Kafka until <see cref="StartAsync"/>.</summary>
    /// <param name="topology">The topology to run.</param>
    /// <param name="config">Settings, validated here.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <param name="meterFactory">Creates the meter of <see cref="Metrics"/>; null for a standalone meter.</param>
    /// <exception cref="ArgumentNullException"><paramref name="topology"/> or <paramref name="config"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting of <paramref name="config"/> is invalid (see
    /// <see cref="StreamsConfig.Validate"/>).</exception>
    public StreamsApplication(Topology topology, StreamsConfig config, ILoggerFactory? loggerFactory = null, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _topology = topology;
        _config = config;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<StreamsApplication>();
        _clients = new KafkaClients(config, _loggerFactory);
        Metrics = new EngineMetrics(config.ApplicationId, meterFactory);
    }

    /// <summary>The engine's metrics for this application (tag <c>application</c> = its id); disposed with it.</summary>
    public EngineMetrics Metrics { get; }

    /// <summary>The validated settings this application runs with.</summary>
    public StreamsConfig Config => _config;

    /// <summary>Raised on every state change, on the thread that caused it.</summary>
    public event Action<StreamsState, StreamsState>? StateChanged;

    /// <summary>The current state. Safe from any thread. While starting or running it is recomputed on each read:
    /// <see cref="StreamsState.Error"/> when <see cref="Errors"/> is not empty, <see cref="StreamsState.Running"/> when
    /// every stream thread holds an assignment, else <see cref="StreamsState.Rebalancing"/>; a change raises
    /// <see cref="StateChanged"/> on the reading thread.</summary>
    public StreamsState State
    {
        get
        {
            lock (_stateLock)
            {
                // Error is left again when the failed tasks are gone (moved away by a rebalance); a dead thread keeps it.
                if (_state is StreamsState.Rebalancing or StreamsState.Running || (_state == StreamsState.Error && _fatal.IsEmpty))
                {
                    var next = Errors.Count > 0 ? StreamsState.Error
                        : _threads.Count > 0 && _threads.All(t => t.IsRunning) ? StreamsState.Running : StreamsState.Rebalancing;
                    if (next != _state)
                    {
                        SetState(next);
                    }
                }

                return _state;
            }
        }
    }

    /// <summary>Why the application is unhealthy: dead threads and stopped tasks, with their errors.</summary>
    public IReadOnlyList<string> Errors =>
        _fatal.Select(e => $"thread failed: {e.GetType().Name}: {e.Message}")
            .Concat(_threads.SelectMany(t => t.FailedTasks.Select(f => $"task {f.Key} stopped: {f.Value.Message}")))
            .Concat(_global?.Error is { } g ? [$"global store thread failed: {g.Message}"] : [])
            .ToList();

    /// <summary>
    /// The instance's health for readiness and liveness probes: overall status, every task (restoring, running, stalled,
    /// retrying, failed) with its lag and time since progress, and the problems in words. Thread-safe; computed on each
    /// call from what the stream threads last published, so a thread stuck in a call still shows up (as stalled tasks).
    /// </summary>
    public StreamsHealth Health
    {
        get
        {
            var state = State;
            var tasks = TaskHealth.OnePerTask(_threads.SelectMany(t => t.Health()));
            var problems = new List<string>(Errors);
            foreach (var task in tasks.Where(t => t.State is TaskHealthState.Stalled or TaskHealthState.Retrying))
            {
                problems.Add($"task {task.TaskId} {task.State.ToString().ToLowerInvariant()} for {task.SinceProgress.TotalSeconds:0.0} s (lag {task.Lag}): {task.Detail}");
            }

            foreach (var thread in _threads.Where(t => t.Activity.SinceLoop > _config.StallTimeout && !t.Stopped))
            {
                var (what, time) = thread.Activity.Current;
                problems.Add($"thread {thread.Name} stuck in '{what}' for {time.TotalSeconds:0.0} s");
            }

            var status = state switch
            {
                StreamsState.Created => StreamsHealthStatus.Starting,
                StreamsState.PendingShutdown or StreamsState.NotRunning => StreamsHealthStatus.Stopped,
                StreamsState.Error => StreamsHealthStatus.Failed,
                _ when problems.Count > 0 => StreamsHealthStatus.Degraded,
                _ when tasks.Any(t => t.State == TaskHealthState.Restoring) => StreamsHealthStatus.Restoring,
                StreamsState.Running => StreamsHealthStatus.Running,
                _ => StreamsHealthStatus.Starting,
            };
            return new StreamsHealth(status, tasks, problems);
        }
    }

    /// <summary>The task ids this instance runs now.</summary>
    public IReadOnlyCollection<Processing.TaskId> ActiveTasks => _threads.SelectMany(t => t.Tasks).Select(t => t.Id).Order().ToList();

    /// <summary>Provisions internal topics, restores global stores and starts the stream threads. Returns once the
    /// threads run; the first assignment and restore follow asynchronously (watch <see cref="State"/>).</summary>
    /// <param name="cancellationToken">Cancels the wait for provisioning and the global restore.</param>
    /// <returns>A task that completes when the stream threads have started.</returns>
    /// <exception cref="TopologyException">A source or global topic does not exist, or the sources of a sub-topology
    /// have different partition counts.</exception>
    /// <exception cref="Topics.TopicMismatchException">An internal topic exists with another partition count.</exception>
    /// <exception cref="InvalidOperationException">Called twice, or another instance holds the state directory
    /// (<c>&lt;StateDirectory&gt;/&lt;ApplicationId&gt;</c>; each instance needs its own).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            if (_state != StreamsState.Created)
            {
                throw new InvalidOperationException($"StartAsync is allowed once, in state Created (now {_state}).");
            }

            SetState(StreamsState.Rebalancing);
        }

        try
        {
            _stateLockFile = StateDirectoryLock.Acquire(Path.Combine(_config.StateDirectory, _config.ApplicationId));
        }
        catch (InvalidOperationException)
        {
            lock (_stateLock)
            {
                SetState(StreamsState.NotRunning);
            }

            throw;
        }

        var stateDirectory = Path.Combine(_config.StateDirectory, _config.ApplicationId);
        var discarded = StateLayout.DiscardPerStoreLayout(stateDirectory);
        if (discarded.Count > 0)
        {
            _logger.PerStoreLayoutDiscarded(stateDirectory, discarded.Count, string.Join(", ", discarded));
        }

        _rocksDbMemory = RocksDbMemory.For(_config);
        var counts = ApplicationSetup.ReadPartitionCounts(_clients, _topology, _config);
        var plan = new PartitionPlan(_topology, _config.ApplicationId, t => counts.TryGetValue(t, out var n) ? n : null);
        plan.ValidateCoPartitioning();
        var specs = ApplicationSetup.InternalTopicSpecs(plan, _config);
        if (_config.TopicProvisioner is { } provisioner)
        {
            await provisioner.EnsureTopicsAsync(specs, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            using var admin = _clients.Admin();
            await new AdminClientTopicProvisioner(admin, logger: _loggerFactory.CreateLogger<AdminClientTopicProvisioner>())
                .EnsureTopicsAsync(specs, cancellationToken).ConfigureAwait(false);
        }

        foreach (var spec in specs)
        {
            counts[spec.Name] = spec.Partitions;
        }

        _plan = plan;
        _runtime = new RuntimeTopology(_topology, _config.ApplicationId, counts);
        _global = new GlobalStateManager(_topology, _config, _clients, _loggerFactory, _rocksDbMemory);
        await Task.Run(() => _global.Start(counts), cancellationToken).ConfigureAwait(false);

        if (_config.ApplicationServer is not null)
        {
            _directory = new InstanceDirectory(_config, _clients, _loggerFactory);
        }

        if (_config.NumStandbyReplicas > 0 && _directory is not null)
        {
            _standbys = new StandbyTasks(_runtime, _config, _directory, Metrics, _logger);
            Metrics.StandbyLagSource = _standbys.Lag;
            Metrics.StandbyCountSource = () => _standbys.Count;
        }
        else if (_config.NumStandbyReplicas > 0)
        {
            _logger.StandbysNeedApplicationServer(_config.NumStandbyReplicas);
        }

        var processId = ApplicationSetup.ProcessId(_config);
        for (var i = 0; i < _config.NumStreamThreads; i++)
        {
            var thread = new StreamThread(i, _runtime, _config, _clients, processId, _global.Stores, Metrics, _loggerFactory, (t, ex) => _fatal.Enqueue(ex), _directory, _rocksDbMemory, _standbys);
            _threads.Add(thread);
        }

        Metrics.LagSource = () => _threads.SelectMany(t => t.Lag());
        Metrics.RestoreRemainingSource = () => _threads.SelectMany(t => t.RestoreRemaining());
        Metrics.TaskStatesSource = () => _threads.SelectMany(t => t.Health()).Select(h => h.State);
        Metrics.StateSource = () => State;
        Metrics.ThreadStatesSource = () => _threads.Select(t => (t.Name, t.Stopped ? "dead" : EngineMetrics.StateName(State))).ToList();
        _watchdog = new StallWatchdog(_threads, _config.StallTimeout, _config.TimeProvider, _logger);
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Stops gracefully: each thread commits, closes its tasks (local stores stay for a fast restart) and leaves
    /// the group, so its partitions move at once. Waits for the threads up to <see cref="StreamsConfig.CloseTimeout"/>
    /// in all.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            if (_state is StreamsState.NotRunning or StreamsState.PendingShutdown)
            {
                return;
            }

            SetState(StreamsState.PendingShutdown);
        }

        if (_watchdog is not null)
        {
            await _watchdog.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var thread in _threads)
        {
            thread.RequestStop();
        }

        await Task.Run(() =>
        {
            // One deadline for all threads (they stop in parallel), not one timeout per thread.
            var deadline = Stopwatch.GetTimestamp() + (long)(_config.CloseTimeout.TotalSeconds * Stopwatch.Frequency);
            foreach (var thread in _threads)
            {
                thread.Join(TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
            }

            _global?.Dispose();
            _standbys?.Dispose();
            _directory?.Dispose();
            _rocksDbMemory?.Dispose();
            _stateLockFile?.Dispose();
        }, cancellationToken).ConfigureAwait(false);
        lock (_stateLock)
        {
            SetState(StreamsState.NotRunning);
        }
    }

    /// <summary>
    /// A read-only view of store <paramref name="name"/> across this instance's tasks (committed data only), or of a
    /// global store. Safe from any thread. A read throws <see cref="Errors.StoreUnavailableException"/> (retry shortly)
    /// while the instance is not running (starting, rebalancing, restoring, stopping) or when a task moves away
    /// mid-read, rather than answering from partial state.
    /// </summary>
    /// <param name="name">A store of the topology, global stores included.</param>
    /// <typeparam name="TKey">The store's key type, as declared in its builder.</typeparam>
    /// <typeparam name="TValue">The store's value type, as declared in its builder.</typeparam>
    /// <returns>A view over the tasks this instance runs at the time of each call; keys owned by other instances are
    /// absent (see <see cref="QueryMetadataForKey{TKey}"/>).</returns>
    /// <exception cref="ArgumentException">No store of that name, or it has other key or value types.</exception>
    public IReadOnlyKeyValueStore<TKey, TValue> Store<TKey, TValue>(string name) =>
        StoreView<TKey, TValue>.Create(_topology, _config.ApplicationId, name, () => LocalStores(name), () => Unavailable(name));

    /// <summary>Which partition owns <paramref name="key"/> in store <paramref name="storeName"/> and whether it is here.
    /// The key is serialized against the store's source topic, as the producer that placed it there did, and
    /// partitioned with murmur2 (<see cref="Partitioning"/>); assumes the store is keyed like its input.</summary>
    /// <param name="storeName">A store of a sub-topology (not a global store).</param>
    /// <param name="key">The key.</param>
    /// <param name="keySerializer">The store's key serializer.</param>
    /// <typeparam name="TKey">The store's key type.</typeparam>
    /// <returns>The owning partition, whether it is local, and the owner's application server when known.</returns>
    /// <exception cref="ArgumentException">No sub-topology owns a store of that name.</exception>
    /// <exception cref="Errors.StoreUnavailableException">This instance is not running (starting, rebalancing,
    /// restoring), or the partition's owner has not announced itself yet (only with an application server): retry
    /// shortly.</exception>
    public KeyQueryMetadata QueryMetadataForKey<TKey>(string storeName, TKey key, ISerializer<TKey> keySerializer)
    {
        ArgumentNullException.ThrowIfNull(keySerializer);
        var plan = _plan ?? throw new InvalidOperationException("The application has not started.");
        var (source, partition, sub) = Locate(plan, _config.ApplicationId, storeName, key, keySerializer);
        if (Unavailable(storeName) is { } reason)
        {
            throw new Errors.StoreUnavailableException(storeName, reason);
        }

        var local = _threads.SelectMany(t => t.Tasks).Any(t => t.Id == new Processing.TaskId(sub.Id, partition));
        var host = local ? _config.ApplicationServer : _directory?.OwnerOf(new TopicPartition(source, partition));
        if (host is null && _directory is not null)
        {
            throw new Errors.StoreUnavailableException(storeName, $"no instance has claimed {source} [{partition}] yet (a rebalance is under way)");
        }

        return new KeyQueryMetadata(partition, local, host);
    }

    /// <summary>The source topic and partition that own <paramref name="key"/> of store <paramref name="storeName"/>:
    /// the key serialized in the source topic's context (a registry-backed serializer's bytes may depend on the topic),
    /// partitioned as a murmur2 producer places it.</summary>
    internal static (string Source, int Partition, SubTopology Sub) Locate<TKey>(PartitionPlan plan, string applicationId, string storeName, TKey key, ISerializer<TKey> keySerializer)
    {
        var sub = plan.SubTopologyOf(storeName);
        var source = sub.ResolvedSourceTopics(applicationId).First();
        var bytes = keySerializer.Serialize(key, new SerializationContext(MessageComponentType.Key, source));
        return (source, Partitioning.ForKey(bytes, plan.TaskCount(sub)), sub);
    }

    /// <summary>
    /// Every instance of this application that announced itself (those with <see cref="StreamsConfig.ApplicationServer"/>
    /// set), with the input partitions it owns now. Empty when this instance has no application server.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Instances() =>
        _directory?.Owners() ?? new Dictionary<string, IReadOnlyList<TopicPartition>>();

    /// <summary>Stops the application (as <see cref="StopAsync"/>) and disposes <see cref="Metrics"/>.</summary>
    /// <returns>A task that completes when the threads have stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Metrics.Dispose();
    }

    /// <summary>Same as <see cref="DisposeAsync"/>, blocking the calling thread until the threads have stopped.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Why store <paramref name="name"/> cannot be queried now, or null. A global store is available once
    /// started; a task store only while every thread runs with its tasks restored.</summary>
    private string? Unavailable(string name)
    {
        if (_global?.Stores.ContainsKey(name) == true)
        {
            return null;
        }

        var state = State;
        return state is StreamsState.Running or StreamsState.Error ? null : $"the instance is {state}";
    }

    /// <summary>The topology this application runs.</summary>
    public Topology Topology => _topology;

    /// <summary>The approximate size of every store this instance holds now: each local task's stores and the global
    /// stores. Safe from any thread; a store that closes while it is read (a task moving away) is left out.</summary>
    /// <returns>One entry per store and task, by store then task.</returns>
    public IReadOnlyList<LocalStoreSize> LocalStoreSizes()
    {
        var sizes = new List<LocalStoreSize>();
        foreach (var (name, store) in _global?.Stores ?? new Dictionary<string, IBytesStore>())
        {
            Add(name, null, store);
        }

        foreach (var task in _threads.SelectMany(t => t.Tasks))
        {
            foreach (var (name, store) in task.Stores)
            {
                Add(name, task.Id.ToString(), store.Inner);
            }
        }

        return sizes.OrderBy(s => s.Store, StringComparer.Ordinal).ThenBy(s => s.Task, StringComparer.Ordinal).ToList();

        void Add(string name, string? task, IBytesStore store)
        {
            try
            {
                sizes.Add(new LocalStoreSize(name, task, store.ApproximateCount));
            }
            catch (ObjectDisposedException)
            {
                // Closed between the listing and the read: no longer this instance's.
            }
        }
    }

    private IEnumerable<IBytesStore> LocalStores(string name)
    {
        if (_global?.Stores.TryGetValue(name, out var global) == true)
        {
            return [global];
        }

        return _threads.SelectMany(t => t.Tasks).Select(t => t.Stores.GetValueOrDefault(name)?.Inner).OfType<IBytesStore>().ToList();
    }

    private void SetState(StreamsState next)
    {
        var previous = _state;
        if (previous == next)
        {
            return;
        }

        _state = next;
        _logger.StateChanged(_config.ApplicationId, previous, next);
        StateChanged?.Invoke(previous, next);
    }
}
