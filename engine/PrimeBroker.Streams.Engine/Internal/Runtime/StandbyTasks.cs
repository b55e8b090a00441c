using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// The standby tasks of one instance (<see cref="StreamsConfig.NumStandbyReplicas"/>): which to keep
/// (<see cref="StandbyPlacement"/> over the instance directory), opening and closing them, and their rounds of catching
/// up with the changelogs. Rounds run on stream thread 0, inside its loop; any stream thread of the instance releases a
/// standby before it opens the same task as active (<see cref="Release"/>).
/// </summary>
/// <remarks>
/// <para>Why on the stream thread and not a thread of its own: a standby and the active task of the same task open the
/// same stores (RocksDB allows one owner of a directory), so the handover must be ordered; on the thread that also
/// starts the tasks it is a plain call. The thread's restore consumer (outside the group, assign() only) does the
/// reading, so no client is added. The cost to the active tasks is bounded: a round comes at most once per
/// <see cref="StreamsConfig.CommitInterval"/> (and no sooner than three times the last round's length after it), reads the log starts and last stable offsets of every standby
/// changelog with one request each, then reads every changelog partition whose last stable offset moved, of all
/// standbys, in one assignment of the restore consumer (<see cref="IChangelogReader.ReadMany"/>) for at most half a
/// commit interval once something was read, each partition stopping at the first commit marker after
/// <see cref="StreamsConfig.StandbyRecordsPerRound"/> records, and applies what was read. An idle standby costs the
/// two requests. Rounds go on while the thread's own tasks wait for their restore (a task held locally never has a
/// standby). The price of one thread: with many standbys under load a
/// standby can lag by several rounds, which only lengthens the tail a takeover restores.</para>
/// <para>With several stream threads, a thread that starts a task waits in <see cref="Release"/> for at most the
/// round under way. Tasks any local thread holds (running, queued, suspended, retrying or failed) never get a standby.</para>
/// <para>Beyond the placement: the running tasks a local thread handed to another member in a cooperative rebalance
/// stay here as standbys (<see cref="GaveUp"/>); a standby whose task no instance announces stays open (its owner is
/// changing); a round opens at most <see cref="MaxOpensPerRound"/> standbys.</para>
/// </remarks>
internal sealed class StandbyTasks : IDisposable
{
    private static readonly TimeSpan s_failureBackoff = TimeSpan.FromSeconds(10);

    /// <summary>Standbys opened in one round at most.</summary>
    internal const int MaxOpensPerRound = 2;

    private readonly RuntimeTopology _runtime;
    private readonly StreamsConfig _config;
    private readonly IInstanceDirectory _directory;
    private readonly EngineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<TaskId, StandbyTask> _standbys = new();
    private readonly Dictionary<TaskId, long> _retryAt = new();
    private readonly Dictionary<TaskId, long> _lastApplied = new();
    private readonly ConcurrentDictionary<TaskId, StandbySnapshot> _snapshots = new();
    private readonly List<Func<TaskId, bool>> _holders = new();
    private readonly Dictionary<string, HashSet<TaskId>> _givenUp = new(StringComparer.Ordinal);
    private readonly HashSet<int> _eligibleSubTopologies;
    private long? _lastRound;
    private long _lastRoundDuration;
    private string _thread = "";

    public StandbyTasks(RuntimeTopology runtime, StreamsConfig config, IInstanceDirectory directory, EngineMetrics metrics, ILogger logger)
    {
        _runtime = runtime;
        _config = config;
        _directory = directory;
        _metrics = metrics;
        _logger = logger;
        _time = config.TimeProvider;
        // In-memory stores would be rebuilt in memory and dropped at the handover: only tasks with a persistent logged
        // store get standbys.
        _eligibleSubTopologies = runtime.Topology.SubTopologies
            .Where(sub => sub.StoreNames.Any(name => runtime.Topology.Stores[name] is { LoggingEnabled: true, Kind: StoreKind.Persistent }))
            .Select(sub => sub.Id)
            .ToHashSet();
    }

    /// <summary>Registers a stream thread's view of the tasks it holds; tasks held locally never get a standby.</summary>
    public void AddHolder(Func<TaskId, bool> holds)
    {
        lock (_gate)
        {
            _holders.Add(holds);
        }
    }

    /// <summary>
    /// A stream thread of this instance handed <paramref name="tasks"/> to another instance in a rebalance (closed
    /// cleanly: their stores hold their last commit with its checkpoint). They are kept as standbys here, on top of the
    /// placement, until the thread gives up other tasks or takes them back: the state is warm already, and the tasks most
    /// likely to come back to an instance are the ones it just gave up (a member that joined and leaves again, a restart
    /// that moved them to a returning member). Any stream thread.
    /// </summary>
    public void GaveUp(string thread, IReadOnlyCollection<TaskId> tasks)
    {
        if (tasks.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            _givenUp[thread] = tasks.ToHashSet();
        }
    }

    /// <summary>The standby tasks now (a snapshot), for tests.</summary>
    public IReadOnlyCollection<TaskId> Ids => _snapshots.Keys.Order().ToList();

    /// <summary>
    /// One round, when a commit interval passed since the last: places the standbys, opens and closes them, reads the
    /// log start and last stable offset of every standby changelog, and catches every standby up with what one read of
    /// all their moved changelog partitions returns within half a commit interval. Called by stream thread 0 from its loop.
    /// </summary>
    public void RunRound(string thread, IChangelogReader reader, Func<TaskEnvironment> environment)
    {
        var now = _time.TickMilliseconds();
        var interval = (long)_config.CommitInterval.TotalMilliseconds;
        // A slow round (a loaded machine, a cold standby reading its whole changelog) spaces the next one out to three
        // times its length, so standbys never take more than about a third of the thread from the active tasks.
        if (_lastRound is { } last && now - last < Math.Max(interval, 3 * _lastRoundDuration))
        {
            return;
        }

        _lastRound = now;
        _thread = thread;
        try
        {
            Round(reader, environment, now, interval);
        }
        finally
        {
            _lastRoundDuration = _time.TickMilliseconds() - now;
        }
    }

    private void Round(IChangelogReader reader, Func<TaskEnvironment> environment, long now, long interval)
    {
        var thread = _thread;
        lock (_gate)
        {
            Place(environment, now);
            if (_standbys.Count == 0)
            {
                return;
            }

            IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents;
            try
            {
                extents = reader.CommittedExtents(_standbys.Values.SelectMany(s => s.ChangelogPartitions).ToList());
            }
            catch (Exception ex) when (ex is KafkaException or TimeoutException)
            {
                _logger.StandbyOffsetsFailed(thread, ex.Message);
                return;
            }

            var order = _standbys.Values.OrderBy(s => s.Id).ToList();
            foreach (var standby in order)
            {
                standby.Observe(extents);
            }

            // Every standby's pending partitions in one read, so none waits behind another (reading one partition after
            // another let the first standbys' always-moving changelogs use every round's budget).
            var ranges = order.SelectMany(s => s.Ranges(extents)).ToList();
            IReadOnlyDictionary<(string Topic, int Partition), ChangelogBatch> batches;
            try
            {
                var spent = _time.TickMilliseconds() - now;
                batches = reader.ReadMany(ranges, _config.StandbyRecordsPerRound, TimeSpan.FromMilliseconds(Math.Max(1, interval / 2 - spent)));
            }
            catch (Exception ex) when (ex is KafkaException or TimeoutException)
            {
                _logger.StandbyOffsetsFailed(thread, ex.Message);
                return;
            }

            foreach (var standby in order)
            {
                CatchUp(standby, reader, batches, extents, now);
                Snapshot(standby, now);
            }
        }
    }

    /// <summary>
    /// Closes the standby of <paramref name="task"/>, if any, before this instance opens the task as active (the two
    /// share the stores). Any stream thread; waits for at most the standby's round under way.
    /// </summary>
    public void Release(TaskId task)
    {
        lock (_gate)
        {
            Close(task, "the task becomes active here");
        }
    }

    /// <summary>Reads a standby under the lock (tests: call only while the stream threads are parked); default when the
    /// task has no standby.</summary>
    internal TResult? Inspect<TResult>(TaskId task, Func<StandbyTask, TResult> read)
    {
        lock (_gate)
        {
            return _standbys.TryGetValue(task, out var standby) ? read(standby) : default;
        }
    }

    /// <summary>The standby tasks as the health check sees them; any thread.</summary>
    public IEnumerable<TaskHealth> Health()
    {
        var now = _time.TickMilliseconds();
        foreach (var (id, snapshot) in _snapshots)
        {
            yield return new TaskHealth(id, snapshot.Thread, TaskHealthState.Standby, snapshot.Lag, TimeSpan.FromMilliseconds(now - snapshot.SinceTick),
                $"standby: {snapshot.Applied} changelog records applied");
        }
    }

    /// <summary>Lag per standby task, for the <c>pbs.standby.lag</c> gauge; any thread.</summary>
    public IEnumerable<Measurement<long>> Lag() =>
        _snapshots.Where(e => e.Value.Lag >= 0)
            .Select(e => new Measurement<long>(e.Value.Lag, new KeyValuePair<string, object?>("task", e.Key.ToString())));

    /// <summary>Standby tasks now, for the <c>pbs.standby.tasks</c> gauge.</summary>
    public int Count => _snapshots.Count;

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var id in _standbys.Keys.ToList())
            {
                Close(id, "the instance stops");
            }
        }
    }

    private void Place(Func<TaskEnvironment> environment, long now)
    {
        var owners = _directory.Owners();
        var ownersByTask = StandbyPlacement.OwnersByTask(owners, TaskOf);
        // The tasks this instance gave up stay unless the directory shows them here (its announcement after taking one
        // back comes after the take-over itself, which the holders below already cover).
        var givenUp = _givenUp.Values.SelectMany(set => set)
            .Where(id => !(ownersByTask.TryGetValue(id, out var servers) && servers.Contains(_directory.Server)));
        var wanted = StandbyPlacement.For(_directory.Server, owners.Keys.ToList(), ownersByTask, _config.NumStandbyReplicas)
            .Concat(givenUp)
            .Where(id => _eligibleSubTopologies.Contains(id.SubTopology) && !_holders.Any(holds => holds(id)))
            .ToHashSet();
        foreach (var set in _givenUp.Values)
        {
            // Taken back by a local thread: no longer given up.
            set.RemoveWhere(id => _holders.Any(holds => holds(id)));
        }

        foreach (var id in _standbys.Keys.Where(id => !wanted.Contains(id)).ToList())
        {
            // A task nobody announces is changing owner (its last owner stopped, the next has not announced yet): its
            // standby stays open until the directory names the new owner, instead of being closed now and perhaps
            // opened again a moment later (opening a task's stores costs the stream thread 0.1-0.25 s on a loaded
            // machine, measured in the failover bench's logs).
            if (!ownersByTask.ContainsKey(id) && !_holders.Any(holds => holds(id)))
            {
                continue;
            }

            Close(id, "placed elsewhere, or held here");
        }

        var opened = 0;
        foreach (var id in wanted.Where(id => !_standbys.ContainsKey(id)).Order())
        {
            if (_retryAt.TryGetValue(id, out var at) && at > now)
            {
                continue;
            }

            if (opened++ == MaxOpensPerRound)
            {
                // The others open in the next rounds: each open holds the stream thread (and its active tasks) for the
                // time RocksDB takes to open the task's stores.
                break;
            }

            _retryAt.Remove(id);
            var sub = _runtime.Topology.SubTopologies.First(s => s.Id == id.SubTopology);
            try
            {
                var standby = new StandbyTask(new StreamTask(id, sub, _runtime.Topology, environment()));
                _standbys[id] = standby;
                _lastApplied[id] = now;
                _snapshots[id] = new StandbySnapshot(_thread, -1, 0, now);
                _logger.StandbyOpened(_thread, id.ToString());
            }
            catch (Exception ex) when (StoreErrors.IsOpenFailure(ex) || ex is InvalidOperationException)
            {
                // Most likely another local thread still closes the task's stores; nothing was opened.
                Fail(id, ex, now);
            }
        }
    }

    /// <summary>Applies what the round read for a standby; a standby that fails is closed (and retried later).</summary>
    private void CatchUp(StandbyTask standby, IChangelogReader reader, IReadOnlyDictionary<(string Topic, int Partition), ChangelogBatch> batches,
        IReadOnlyDictionary<(string Topic, int Partition), (long Start, long Stable)> extents, long now)
    {
        try
        {
            var applied = standby.CatchUp(reader, batches, extents);
            _metrics.RecordStandbyApplied(applied);
            if (applied > 0)
            {
                _lastApplied[standby.Id] = now;
            }
        }
        catch (Exception ex) when (ex is ChangelogTruncatedException or KafkaException or TimeoutException or InvalidOperationException or InvalidDataException)
        {
            Close(standby.Id, "failed");
            Fail(standby.Id, ex, now);
        }
    }

    private void Snapshot(StandbyTask standby, long now)
    {
        if (_standbys.ContainsKey(standby.Id))
        {
            _snapshots[standby.Id] = new StandbySnapshot(_thread, standby.Lag, standby.AppliedRecords, _lastApplied.GetValueOrDefault(standby.Id, now));
        }
    }

    private void Fail(TaskId id, Exception error, long now)
    {
        _retryAt[id] = now + (long)s_failureBackoff.TotalMilliseconds;
        _logger.StandbyFailed(_thread, id.ToString(), s_failureBackoff.TotalSeconds, error.Message);
    }

    private void Close(TaskId id, string reason)
    {
        _snapshots.TryRemove(id, out _);
        _lastApplied.Remove(id);
        if (_standbys.Remove(id, out var standby))
        {
            standby.Dispose();
            _logger.StandbyClosed(_thread, id.ToString(), reason, standby.AppliedRecords);
        }
    }

    private TaskId? TaskOf(TopicPartition tp) =>
        _runtime.SubTopologyByTopic.TryGetValue(tp.Topic, out var sub) ? new TaskId(sub.Id, tp.Partition.Value) : null;

    /// <summary>What health and metrics show of a standby: lag (-1 before its first round), records applied, and since
    /// when it last applied something (or opened).</summary>
    private sealed record StandbySnapshot(string Thread, long Lag, long Applied, long SinceTick);
}
