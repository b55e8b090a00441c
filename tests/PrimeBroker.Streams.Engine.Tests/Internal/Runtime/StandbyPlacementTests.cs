using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// <see cref="StandbyPlacement"/>: every instance computes, from the same directory, the same standbys for every task;
/// never on the task's owner; as many as asked where enough instances exist.
/// </summary>
public sealed class StandbyPlacementTests
{
    private const string Topic = "in";

    private static TaskId? TaskOf(TopicPartition tp) => tp.Topic == Topic ? new TaskId(0, tp.Partition.Value) : null;

    /// <summary>The first four servers own the 20 partitions (server i those with p % 4 == i); a fifth owns none (a member without partitions).</summary>
    private static Dictionary<string, IReadOnlyList<TopicPartition>> Directory(IEnumerable<string> servers)
    {
        var list = servers.ToList();
        return list.Take(4).Select((s, i) => (s, i))
            .ToDictionary(e => e.s, e => (IReadOnlyList<TopicPartition>)Enumerable.Range(0, 20).Where(p => p % 4 == e.i).Select(p => new TopicPartition(Topic, p)).ToList());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryInstanceComputesTheSameStandbysNeverOnTheOwnerAndAsManyAsAsked(int replicas)
    {
        string[] servers = ["a:1", "b:1", "c:1", "d:1", "e:1"];
        var owners = Directory(servers);
        // Each instance asks for itself; together the answers must place each task on exactly `replicas` non-owners.
        // The fifth owns nothing and keeps no standby: the others cannot tell it from a dead instance.
        var standbysByTask = new Dictionary<TaskId, List<string>>();
        foreach (var self in servers)
        {
            foreach (var task in StandbyPlacement.For(self, owners, TaskOf, replicas))
            {
                (standbysByTask.TryGetValue(task, out var list) ? list : standbysByTask[task] = new List<string>()).Add(self);
            }
        }

        Assert.Equal(20, standbysByTask.Count);
        Assert.DoesNotContain("e:1", standbysByTask.Values.SelectMany(s => s));
        foreach (var (task, standbys) in standbysByTask)
        {
            var owner = owners.Single(e => e.Value.Contains(new TopicPartition(Topic, task.Partition))).Key;
            Assert.DoesNotContain(owner, standbys);
            Assert.Equal(replicas, standbys.Count);
            Assert.Equal(standbys.Order(), StandbyPlacement.Standbys(task, owners.Keys, new HashSet<string> { owner }, replicas).Order());
        }

        // Spread: with 5 instances and one standby per task, nobody keeps all of them.
        Assert.True(standbysByTask.Values.SelectMany(s => s).GroupBy(s => s).All(g => g.Count() < 20));
    }

    [Fact]
    public void TheAnswerDoesNotDependOnTheOrderTheDirectoryWasRead()
    {
        string[] servers = ["a:1", "b:1", "c:1", "d:1"];
        var owners = Directory(servers);
        var reversed = owners.Reverse().ToDictionary(e => e.Key, e => (IReadOnlyList<TopicPartition>)e.Value.Reverse().ToList());
        foreach (var self in servers)
        {
            Assert.Equal(StandbyPlacement.For(self, owners, TaskOf, 1).Order(), StandbyPlacement.For(self, reversed, TaskOf, 1).Order());
        }
    }

    [Fact]
    public void AnOwnerNeverKeepsAStandbyOfItsTaskEvenWhenNoOtherInstanceExists()
    {
        var owners = new Dictionary<string, IReadOnlyList<TopicPartition>> { ["a:1"] = [new TopicPartition(Topic, 0), new TopicPartition(Topic, 1)] };
        Assert.Empty(StandbyPlacement.For("a:1", owners, TaskOf, 2));
        // An instance without partitions keeps none; one that owns a partition keeps a standby of the other's task.
        Assert.Empty(StandbyPlacement.For("b:1", owners, TaskOf, 2));
        owners["b:1"] = [new TopicPartition(Topic, 2)];
        Assert.Equal([new TaskId(0, 0), new TaskId(0, 1)], StandbyPlacement.For("b:1", owners, TaskOf, 2).Order());
        Assert.Equal([new TaskId(0, 2)], StandbyPlacement.For("a:1", owners, TaskOf, 2));
    }

    [Fact]
    public void NoStandbysWhenNoneAreAskedForOrForOtherTopics()
    {
        var owners = new Dictionary<string, IReadOnlyList<TopicPartition>>
        {
            ["a:1"] = [new TopicPartition(Topic, 0), new TopicPartition("other", 0)],
            ["b:1"] = [new TopicPartition("other", 1)],
        };
        Assert.Empty(StandbyPlacement.For("b:1", owners, TaskOf, 0));
        Assert.Equal([new TaskId(0, 0)], StandbyPlacement.For("b:1", owners, TaskOf, 1));
    }

    [Fact]
    public void TheRankIsAFixedFunctionOfTaskAndServer()
    {
        // FNV-1a 64 of "0_3|a:1": the same in every process (string.GetHashCode is not).
        Assert.Equal(StandbyPlacement.Rank(new TaskId(0, 3), "a:1"), StandbyPlacement.Rank(new TaskId(0, 3), "a:1"));
        Assert.NotEqual(StandbyPlacement.Rank(new TaskId(0, 3), "a:1"), StandbyPlacement.Rank(new TaskId(0, 3), "b:1"));
        Assert.Equal(Fnv1a("0_3|a:1"), StandbyPlacement.Rank(new TaskId(0, 3), "a:1"));
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 0xcbf29ce484222325UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 0x100000001b3UL;
        }

        return hash;
    }
}
