namespace PrimeBroker.Streams.Engine;

/// <summary>The consumer-group protocol of the stream threads' consumers (librdkafka's <c>group.protocol</c>). Every
/// instance of an application must use the same one.</summary>
public enum GroupProtocol
{
    /// <summary>The classic protocol (JoinGroup/SyncGroup): the group is assigned by its leader, with librdkafka's
    /// <c>range</c> (eager) or <c>cooperative-sticky</c> (see <see cref="StreamsConfig.CooperativeRebalancing"/>). Session
    /// timeout and heartbeat are the client's (<see cref="StreamsConfig.SessionTimeout"/>,
    /// <see cref="StreamsConfig.HeartbeatInterval"/>). Works with every broker. The default.</summary>
    Classic,

    /// <summary>
    /// KIP-848 (<c>group.protocol=consumer</c>, Apache Kafka 4.0 and later): the group coordinator assigns partitions
    /// itself, each member learns of changes from its heartbeats, and every rebalance is incremental (a member gives up
    /// only the partitions that move; there is no group-wide join round). The engine takes its incremental path for every
    /// topology: <c>group.remote.assignor=range</c> where a task reads several co-partitioned topics (the broker's range
    /// keeps partition p of every topic on one member, and is sticky), the broker's default assignor where every task
    /// reads one topic. Session timeout and heartbeat interval are the cluster's (broker settings
    /// <c>group.consumer.session.timeout.ms</c> and <c>group.consumer.heartbeat.interval.ms</c>, or per group): the
    /// consumer must not send them, so <see cref="StreamsConfig.SessionTimeout"/> only tells the engine what the cluster
    /// uses (its freeze check) and <see cref="StreamsConfig.HeartbeatInterval"/> is not used.
    /// </summary>
    Consumer,
}
