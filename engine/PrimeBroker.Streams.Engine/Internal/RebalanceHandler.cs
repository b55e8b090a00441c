using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// A stream thread's rebalance callbacks (they run inside the consumer's Consume, on the stream thread): commit before
/// partitions go, create the tasks of partitions that come, give up uncommitted work when the assignment was lost,
/// and keep the instance directory's claim in step.
/// </summary>
internal sealed class RebalanceHandler
{
    private readonly string _thread;
    private readonly string _member;
    private readonly TaskManager _tasks;
    private readonly InstanceDirectory? _directory;
    private readonly ILogger _logger;
    private readonly ThreadActivity _activity;
    private StreamThreadOperations? _operations;

    public RebalanceHandler(string thread, string member, TaskManager tasks, InstanceDirectory? directory, ThreadActivity activity, ILogger logger)
    {
        _thread = thread;
        _member = member;
        _tasks = tasks;
        _directory = directory;
        _activity = activity;
        _logger = logger;
    }

    /// <summary>Whether the thread holds an assignment and all its tasks are restored.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>What the callbacks need from the thread; set once its clients exist, before it subscribes.</summary>
    public void Attach(StreamThreadOperations operations) => _operations = operations;

    /// <summary>The thread stopped: it holds nothing any more.</summary>
    public void Stopped() => IsRunning = false;

    public IEnumerable<TopicPartitionOffset> OnAssigned(List<TopicPartition> partitions)
    {
        _logger.Assigned(_thread, string.Join(", ", partitions));
        _activity.Set("restore");
        // Claim the partitions before restoring them, so routing points here at once (queries get "unavailable, retry"
        // until the restore ends) instead of at the previous owner, which may be dead.
        _directory?.Announce(_member, _tasks.OwnedPartitions.Concat(partitions).Distinct());
        var result = Operations.StartTasks(partitions);
        IsRunning = true;
        _directory?.Announce(_member, _tasks.OwnedPartitions);
        return result;
    }

    public void OnRevoked(List<TopicPartitionOffset> partitions)
    {
        _logger.Revoked(_thread, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        IsRunning = false;
        Operations.CommitInRebalance();
        var revoked = partitions.Select(p => p.TopicPartition).ToHashSet();
        _tasks.Close(revoked, clean: true);
        _tasks.ForgetFailures(revoked);
        _directory?.Announce(_member, _tasks.OwnedPartitions);
    }

    public void OnLost(List<TopicPartitionOffset> partitions)
    {
        _logger.Lost(_thread, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        IsRunning = false;
        Operations.AbortAfterLost();
        _tasks.Close(partitions.Select(p => p.TopicPartition).ToHashSet(), clean: false);
        _directory?.Announce(_member, _tasks.OwnedPartitions);
    }

    private StreamThreadOperations Operations => _operations ?? throw new InvalidOperationException("A rebalance callback ran before the thread was set up.");
}

/// <summary>The stream thread's operations a rebalance callback calls.</summary>
/// <param name="StartTasks">Creates and restores the tasks of newly assigned partitions; returns each partition's
/// start position.</param>
/// <param name="CommitInRebalance">Commits every task (a failure aborts and rolls back, as in the loop).</param>
/// <param name="AbortAfterLost">Aborts the open transaction after the assignment was lost.</param>
internal sealed record StreamThreadOperations(
    Func<IReadOnlyCollection<TopicPartition>, List<TopicPartitionOffset>> StartTasks,
    Action CommitInRebalance,
    Action AbortAfterLost);
