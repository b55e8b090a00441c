namespace PrimeBroker.Streams.Engine.Embedded;

/// <summary>Settings of an <see cref="EmbeddedKafkaCluster"/>. Immutable; checked by <see cref="Validate"/> when the
/// cluster starts.</summary>
public sealed record EmbeddedKafkaClusterOptions
{
    /// <summary>Number of mock brokers, ids 1 to <c>BrokerCount</c>. Default 3; 1 to 32.</summary>
    public int BrokerCount { get; init; } = 3;

    /// <summary>
    /// The mock's <c>group.initial.rebalance.delay.ms</c>: how long a new consumer group waits for more members before
    /// its first rebalance. Default 100 ms (the mock's own default is 3 s, which slows every group join in tests);
    /// whole milliseconds, 0 to 60 s.
    /// </summary>
    public TimeSpan GroupInitialRebalanceDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Session timeout of KIP-848 groups (consumers with <c>group.protocol=consumer</c>; a real broker's
    /// <c>group.consumer.session.timeout.ms</c>): a member whose last heartbeat is this old is removed and its partitions
    /// are reassigned. The mock checks once a second, so a killed member's partitions move between one session timeout
    /// after its last heartbeat and a second later. Default 2 s (the mock's own is 30 s, a real broker's 45 s): a dev
    /// cluster's killed instance hands over in 2-3 s, while a member is dropped only when its heartbeats (sent by
    /// librdkafka's own thread, which a .NET garbage collection does not stop) miss the mock for about 1.75 s, which
    /// takes a starved machine. Classic groups are not affected (their members send their own). Whole milliseconds,
    /// 100 ms to 10 min; above <see cref="ConsumerGroupHeartbeatInterval"/>.
    /// </summary>
    public TimeSpan ConsumerGroupSessionTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Heartbeat interval the mock tells KIP-848 group members (a real broker's <c>group.consumer.heartbeat.interval.ms</c>).
    /// A KIP-848 member learns of a new assignment only from a heartbeat response, so this bounds how long a member that
    /// must give up partitions, and then the one that takes them, wait to hear of it: a stopped instance's partitions are
    /// owned again within about one to two intervals. Default 250 ms (the mock's own is 3 s, a real broker's 5 s): eight
    /// heartbeats per session timeout; four requests a second per member are nothing to the mock. Whole milliseconds,
    /// 10 ms up to below <see cref="ConsumerGroupSessionTimeout"/>.
    /// </summary>
    public TimeSpan ConsumerGroupHeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Timeout of the metadata requests the cluster's topic provisioner sends. Default 10 s; must be positive.</summary>
    public TimeSpan MetadataTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (BrokerCount is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(BrokerCount), BrokerCount, "BrokerCount must be between 1 and 32.");
        }

        if (GroupInitialRebalanceDelay < TimeSpan.Zero || GroupInitialRebalanceDelay > TimeSpan.FromSeconds(60))
        {
            throw new ArgumentOutOfRangeException(nameof(GroupInitialRebalanceDelay), GroupInitialRebalanceDelay,
                "GroupInitialRebalanceDelay must be between 0 and 60 seconds.");
        }

        if (ConsumerGroupSessionTimeout < TimeSpan.FromMilliseconds(100) || ConsumerGroupSessionTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(ConsumerGroupSessionTimeout), ConsumerGroupSessionTimeout,
                "ConsumerGroupSessionTimeout must be between 100 ms and 10 minutes.");
        }

        if (ConsumerGroupHeartbeatInterval < TimeSpan.FromMilliseconds(10) || ConsumerGroupHeartbeatInterval >= ConsumerGroupSessionTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(ConsumerGroupHeartbeatInterval), ConsumerGroupHeartbeatInterval,
                "ConsumerGroupHeartbeatInterval must be at least 10 ms and below ConsumerGroupSessionTimeout.");
        }

        if (MetadataTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MetadataTimeout), MetadataTimeout, "MetadataTimeout must be positive.");
        }
    }
}
