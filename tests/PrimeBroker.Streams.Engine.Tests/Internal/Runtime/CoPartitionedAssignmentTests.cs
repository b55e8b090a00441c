using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.Runtime;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// Incremental rebalances (KIP-848) of a topology whose tasks read two co-partitioned topics: a task is queued only once
/// both its input partitions are assigned. The coordinator's range assignor moves them together, but the protocol does
/// not promise one assignment for both, and a task started with one would never get the other.
/// </summary>
public sealed class CoPartitionedAssignmentTests : IDisposable
{
    private readonly EngineMetrics _metrics = new("app");
    private readonly TaskManager _tasks;
    private readonly RebalanceHandler _handler;
    private readonly List<TopicPartition> _paused = new();

    public CoPartitionedAssignmentTests()
    {
        var builder = new StreamsBuilder();
        builder.Stream(["a", "b"], Consumed.With(Serdes.String, Serdes.String)).To("out", Produced<string, string>.With(Serdes.String, Serdes.String));
        var runtime = new RuntimeTopology(builder.Build(), "app", new Dictionary<string, int> { ["a"] = 2, ["b"] = 2, ["out"] = 2 });
        var config = new StreamsConfig { ApplicationId = "app", BootstrapServers = "in-memory", GroupProtocol = GroupProtocol.Consumer };
        _tasks = new TaskManager(runtime, config, _metrics, NullLogger.Instance);
        _handler = new RebalanceHandler("t", "m", cooperative: true, _tasks, directory: null, NullLogger.Instance, RebalanceHandler.TaskInputs(runtime));
        _handler.Attach(new StreamThreadOperations(_paused.AddRange, positions => positions, () => true, () => { }));
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void ATaskWhosePartitionsArriveInTwoAssignmentsIsQueuedWithBothOnceTheSecondArrives()
    {
        var first = _handler.OnAssigned([Tp("a", 0)]).ToList();

        Assert.Equal([Tp("a", 0)], first.Select(p => p.TopicPartition));
        Assert.Empty(_tasks.PendingPartitions);
        Assert.Contains(Tp("a", 0), _paused);
        Assert.False(_handler.IsRunning);

        var second = _handler.OnAssigned([Tp("b", 0), Tp("a", 1), Tp("b", 1)]).ToList();

        // The callback answers for exactly the partitions it was given; the task gets both of its inputs.
        Assert.Equal([Tp("b", 0), Tp("a", 1), Tp("b", 1)], second.Select(p => p.TopicPartition));
        Assert.Equal(new[] { Tp("a", 0), Tp("a", 1), Tp("b", 0), Tp("b", 1) }.Order(), _tasks.PendingPartitions.Order());
    }

    [Fact]
    public void AnEarlyPartitionRevokedBeforeTheRestArrivesIsForgotten()
    {
        _handler.OnAssigned([Tp("a", 0)]);
        _handler.OnRevoked([new TopicPartitionOffset(Tp("a", 0), Offset.Unset)]);

        _handler.OnAssigned([Tp("b", 0)]);

        Assert.Empty(_tasks.PendingPartitions);
    }

    private static TopicPartition Tp(string topic, int partition) => new(topic, partition);
}
