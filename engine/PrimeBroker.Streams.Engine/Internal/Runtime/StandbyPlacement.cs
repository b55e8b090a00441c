using System.Text;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// Where standby tasks go. librdkafka assigns the active partitions; every instance reads the same instance directory
/// (the instances that own partitions now, each with its partitions) and computes the same answer: for each task that
/// has an announced owner, the other owning instances are ranked by a stable hash of (task, instance) and the first
/// <see cref="StreamsConfig.NumStandbyReplicas"/> keep a standby for it.
/// </summary>
/// <remarks>
/// Rendezvous hashing: a member that joins or leaves moves only the standbys it wins or held, and the ranking does not
/// depend on the order claims were read in. Two instances that read the directory at different moments (during a
/// rebalance) can briefly disagree; that costs warmth only (a standby too many or too few), never correctness: a
/// standby applies committed changelog data only, never serves queries, and is closed before its instance opens the
/// task as active. A task with no announced owner gets no standby until its owner announces. Only instances that own
/// partitions count as members: the directory keeps a dead instance's last announcement, which looks like a member
/// without partitions once its partitions moved, so an instance that owns nothing (more instances than partitions)
/// keeps no standbys; every instance can tell that the same way.
/// </remarks>
internal static class StandbyPlacement
{
    /// <summary>The tasks <paramref name="self"/> keeps a standby for.</summary>
    /// <param name="self">This instance's application server.</param>
    /// <param name="owners">Every announced server with the input partitions it owns (the directory's view).</param>
    /// <param name="taskOf">The task of an input partition, or null for a partition of another application's topic.</param>
    /// <param name="replicas">Standbys per task.</param>
    public static IReadOnlySet<TaskId> For(string self, IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> owners, Func<TopicPartition, TaskId?> taskOf, int replicas) =>
        For(self, owners.Keys.ToList(), OwnersByTask(owners, taskOf), replicas);

    /// <summary>The tasks <paramref name="self"/> keeps a standby for, from the owners already grouped by task (for a
    /// caller that needs <see cref="OwnersByTask"/> itself).</summary>
    /// <param name="self">This instance's application server.</param>
    /// <param name="members">Every announced server.</param>
    /// <param name="ownersByTask">The servers that claim each task (<see cref="OwnersByTask"/>).</param>
    /// <param name="replicas">Standbys per task.</param>
    public static IReadOnlySet<TaskId> For(string self, IReadOnlyList<string> members, IReadOnlyDictionary<TaskId, HashSet<string>> ownersByTask, int replicas)
    {
        var result = new HashSet<TaskId>();
        if (replicas <= 0 || !members.Contains(self, StringComparer.Ordinal))
        {
            return result;
        }

        foreach (var (task, taskOwners) in ownersByTask)
        {
            if (!taskOwners.Contains(self) && Standbys(task, members, taskOwners, replicas).Contains(self, StringComparer.Ordinal))
            {
                result.Add(task);
            }
        }

        return result;
    }

    /// <summary>The <paramref name="replicas"/> members that keep a standby for <paramref name="task"/>: the highest
    /// ranked of those that do not own it.</summary>
    public static IReadOnlyList<string> Standbys(TaskId task, IEnumerable<string> members, IReadOnlySet<string> owners, int replicas) =>
        members.Where(m => !owners.Contains(m))
            .OrderBy(m => Rank(task, m))
            .ThenBy(m => m, StringComparer.Ordinal)
            .Take(replicas)
            .ToList();

    /// <summary>The servers that claim some input partition of each task (one, except for a moment in a rebalance).</summary>
    public static Dictionary<TaskId, HashSet<string>> OwnersByTask(IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> owners, Func<TopicPartition, TaskId?> taskOf)
    {
        var result = new Dictionary<TaskId, HashSet<string>>();
        foreach (var (server, partitions) in owners)
        {
            foreach (var tp in partitions)
            {
                if (taskOf(tp) is { } task)
                {
                    if (!result.TryGetValue(task, out var set))
                    {
                        result[task] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(server);
                }
            }
        }

        return result;
    }

    /// <summary>A hash of (task, server) that every process computes the same (64-bit FNV-1a over UTF-8; string hash
    /// codes are randomized per process).</summary>
    public static ulong Rank(TaskId task, string server)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes($"{task.SubTopology}_{task.Partition}|{server}"))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
