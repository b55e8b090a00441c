using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// A stream thread's rebalance callbacks. They run inside the consumer's Consume, on the stream thread, and return at
/// once: no restore runs inside them (a long one would block the member past max.poll.interval.ms and stall the group).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Revoked: commit every task (as before); then, under the eager protocol (range), the revoked tasks are
/// suspended (kept open) if that commit succeeded, else closed; under the cooperative protocol only partitions that
/// move are revoked, so their tasks are closed, and the instance keeps a standby of each running task it gave up
/// (<see cref="GaveUp"/>). While the thread stops (<see cref="Stopping"/>), a committed task is
/// suspended under either protocol: the consumer's close revokes everything and leaves the group right after this
/// callback, so closing the stores here would hold back the LeaveGroup (and the partitions' move) by the time that
/// takes; the thread closes the suspended tasks once the consumer is closed.</item>
/// <item>Assigned: a suspended task that came back is queued for a resume check, every other task for a restore;
/// suspended tasks that did not come back are closed. The loop starts them (see <see cref="TaskManager.StartNextPending"/>)
/// with their partitions paused until then.</item>
/// <item>Lost (session expired, fenced): the open transaction is aborted and the lost tasks, the suspended and the
/// pending ones are closed without trusting memory.</item>
/// <item>Incremental rebalances of a topology whose tasks read several co-partitioned topics (KIP-848 with the broker's
/// range assignor): a task is queued only once all its input partitions are assigned. The assignor moves partition p
/// of every topic together, so they normally arrive in one callback; the protocol does not promise it, and a task
/// started with part of its inputs would never get the rest. Partitions that arrive ahead of the rest wait here,
/// paused, and are dropped again if they are revoked first.</item>
/// </list>
/// </remarks>
internal sealed class RebalanceHandler
{
    private readonly string _thread;
    private readonly string _member;
    private readonly bool _cooperative;
    private readonly TaskManager _tasks;
    private readonly IInstanceDirectory? _directory;
    private readonly Func<TopicPartition, IReadOnlyCollection<TopicPartition>>? _taskInputs;
    private readonly HashSet<TopicPartition> _held = new();
    private int _heldCount;
    private readonly ILogger _logger;
    private StreamThreadOperations? _operations;
    private volatile bool _assigned;
    private bool _stopping;

    /// <param name="thread">The stream thread's name, for logs.</param>
    /// <param name="member">The thread's member name in the instance directory.</param>
    /// <param name="cooperative">Whether rebalances are incremental.</param>
    /// <param name="tasks">The thread's tasks.</param>
    /// <param name="directory">The instance directory, or null.</param>
    /// <param name="logger">The thread's logger.</param>
    /// <param name="taskInputs">Under incremental rebalances of a topology whose tasks read several topics: every
    /// input partition of the task that reads the given one (held back until all are assigned); otherwise null.</param>
    public RebalanceHandler(string thread, string member, bool cooperative, TaskManager tasks, IInstanceDirectory? directory, ILogger logger,
        Func<TopicPartition, IReadOnlyCollection<TopicPartition>>? taskInputs = null)
    {
        _thread = thread;
        _member = member;
        _cooperative = cooperative;
        _tasks = tasks;
        _directory = directory;
        _logger = logger;
        _taskInputs = taskInputs;
    }

    /// <summary>Every input partition of the task that reads a partition: that partition number of each source topic of
    /// its sub-topology (the <c>taskInputs</c> of the constructor).</summary>
    public static Func<TopicPartition, IReadOnlyCollection<TopicPartition>> TaskInputs(Internal.Processing.RuntimeTopology runtime)
    {
        var topics = runtime.SubTopologyByTopic.GroupBy(e => e.Value).ToDictionary(g => g.Key, g => g.Select(e => e.Key).ToList());
        return tp => topics[runtime.SubTopologyByTopic[tp.Topic]].Select(topic => new TopicPartition(topic, tp.Partition)).ToList();
    }

    /// <summary>Whether the thread holds an assignment and all its tasks run (none waits for a restore or for the rest of
    /// its input partitions). Any thread.</summary>
    public bool IsRunning => _assigned && !_tasks.HasPending && Volatile.Read(ref _heldCount) == 0;

    /// <summary>What the callbacks need from the thread; set once its clients exist, before it subscribes.</summary>
    public void Attach(StreamThreadOperations operations) => _operations = operations;

    /// <summary>Told the running tasks a cooperative revocation closed because their partitions moved to another member
    /// (not while stopping, not when lost): the instance's standbys keep them warm here (<see cref="StandbyTasks.GaveUp"/>).</summary>
    public Action<IReadOnlyCollection<TaskId>>? GaveUp { get; set; }

    /// <summary>The thread stops and is about to close its consumer: from now on a revocation whose commit succeeded
    /// suspends its tasks instead of closing them, so the consumer leaves the group before the stores are closed.
    /// Stream thread only.</summary>
    public void Stopping() => _stopping = true;

    /// <summary>The thread stopped: it holds nothing any more.</summary>
    public void Stopped() => _assigned = false;

    public IEnumerable<TopicPartitionOffset> OnAssigned(List<TopicPartition> partitions)
    {
        _logger.Assigned(_thread, string.Join(", ", partitions));
        // Claim the partitions before restoring them, so routing points here at once (queries get "unavailable, retry"
        // until the restore ends) instead of at the previous owner, which may be dead.
        _directory?.Announce(_member, _tasks.OwnedPartitions.Concat(partitions).Concat(_held).Distinct());
        var waiting = partitions.Where(tp => !_tasks.TryGetTask(tp, out _)).ToList();
        var ready = Complete(partitions);
        var queued = _tasks.Enqueue(ready).Where(p => partitions.Contains(p.TopicPartition)).ToList();
        // Held partitions start at the end until their task is queued; its start seeks every input partition of it.
        var positions = Operations.AbsolutePositions(queued.Concat(partitions.Where(tp => !ready.Contains(tp)).Select(tp => new TopicPartitionOffset(tp, Offset.End))).ToList());
        Operations.PauseUntilStarted(waiting);
        _assigned = true;
        return positions;
    }

    // The partitions to queue now: all of the given ones, or under taskInputs those whose task has every input assigned
    // (with ones held from earlier callbacks); the others are held.
    private List<TopicPartition> Complete(List<TopicPartition> partitions)
    {
        if (_taskInputs is null)
        {
            return partitions;
        }

        _held.UnionWith(partitions);
        var ready = _held.Where(tp => _taskInputs(tp).All(input => _held.Contains(input) || _tasks.TryGetTask(input, out _))).ToList();
        _held.ExceptWith(ready);
        Volatile.Write(ref _heldCount, _held.Count);
        if (_held.Count > 0)
        {
            _logger.PartitionsHeld(_thread, string.Join(", ", _held));
        }

        return ready;
    }

    private void ReleaseHeld(IEnumerable<TopicPartition> partitions)
    {
        _held.ExceptWith(partitions);
        Volatile.Write(ref _heldCount, _held.Count);
    }

    public void OnRevoked(List<TopicPartitionOffset> partitions)
    {
        _logger.Revoked(_thread, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        _assigned = false;
        var committed = Operations.CommitInRebalance();
        var revoked = partitions.Select(p => p.TopicPartition).ToHashSet();
        ReleaseHeld(revoked);
        _tasks.DropPending(revoked);
        if (committed && (!_cooperative || _stopping))
        {
            _tasks.Suspend(revoked);
        }
        else
        {
            var moved = _tasks.Tasks.Where(t => t.InputPartitions.Any(revoked.Contains)).Select(t => t.Id).ToList();
            _tasks.Close(revoked, clean: true);
            if (_cooperative && !_stopping)
            {
                GaveUp?.Invoke(moved);
            }
        }

        _tasks.ForgetFailures(revoked);
        _directory?.Announce(_member, _tasks.OwnedPartitions);
    }

    public void OnLost(List<TopicPartitionOffset> partitions)
    {
        _logger.Lost(_thread, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        _assigned = false;
        Operations.AbortAfterLost();
        var lost = partitions.Select(p => p.TopicPartition).ToHashSet();
        ReleaseHeld(lost);
        _tasks.DropPending(lost);
        _tasks.CloseSuspended(except: null, clean: false);
        _tasks.Close(lost, clean: false);
        _directory?.Announce(_member, _tasks.OwnedPartitions);
    }

    private StreamThreadOperations Operations => _operations ?? throw new InvalidOperationException("A rebalance callback ran before the thread was set up.");
}

/// <summary>The stream thread's operations a rebalance callback calls.</summary>
/// <param name="PauseUntilStarted">Pauses newly assigned partitions (once the assignment is in place) until their task
/// runs.</param>
/// <param name="AbsolutePositions">Replaces logical start positions by absolute ones (see
/// <see cref="ConsumerPositions.AbsolutePositions"/>).</param>
/// <param name="CommitInRebalance">Commits every task; false when the commit failed (the tasks were rolled back or
/// closed).</param>
/// <param name="AbortAfterLost">Aborts the open transaction after the assignment was lost.</param>
internal sealed record StreamThreadOperations(
    Action<IReadOnlyCollection<TopicPartition>> PauseUntilStarted,
    Func<List<TopicPartitionOffset>, List<TopicPartitionOffset>> AbsolutePositions,
    Func<bool> CommitInRebalance,
    Action AbortAfterLost);
