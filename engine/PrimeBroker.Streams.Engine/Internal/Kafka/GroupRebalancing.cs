using PrimeBroker.Streams.Engine.Internal.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Kafka;

/// <summary>How a stream thread's consumer takes part in the group: the protocol, whether rebalances are incremental
/// (only moving partitions revoked; the engine's cooperative path) and, under KIP-848, the broker-side assignor.</summary>
/// <param name="Protocol">The group protocol.</param>
/// <param name="Incremental">Whether rebalances revoke only the partitions that move.</param>
/// <param name="RemoteAssignor">The KIP-848 assignor to ask for (<c>group.remote.assignor</c>); null leaves the
/// broker's default. Always null under the classic protocol.</param>
internal sealed record GroupRebalancing(GroupProtocol Protocol, bool Incremental, string? RemoteAssignor)
{
    /// <summary>
    /// Classic: cooperative-sticky only where every task reads one topic and <see cref="StreamsConfig.CooperativeRebalancing"/>
    /// asks for it (librdkafka's cooperative-sticky does not keep partition p of co-partitioned topics together), else
    /// range (eager). KIP-848: always incremental; <c>range</c> where a task reads several topics, because the broker's
    /// range assignor keeps partition p of co-partitioned topics on one member (and is sticky) as long as every member
    /// subscribes to the same topics, which every stream thread of an application does. Where every task reads one
    /// topic any assignor is correct, so the broker's default is left (<c>uniform</c> on Apache Kafka 4.x, which
    /// balances the partitions of all topics together; naming one could fail on a cluster whose operators enabled
    /// others).
    /// </summary>
    public static GroupRebalancing For(StreamsConfig config, bool everyTaskReadsOneTopic) => config.GroupProtocol switch
    {
        GroupProtocol.Consumer => new(GroupProtocol.Consumer, Incremental: true, RemoteAssignor: everyTaskReadsOneTopic ? null : "range"),
        _ => new(GroupProtocol.Classic, Incremental: config.CooperativeRebalancing && everyTaskReadsOneTopic, RemoteAssignor: null),
    };

    /// <summary>See <see cref="For(StreamsConfig, bool)"/>.</summary>
    public static GroupRebalancing For(StreamsConfig config, RuntimeTopology runtime) => For(config, runtime.EveryTaskReadsOneTopic);
}
