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

        if (MetadataTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MetadataTimeout), MetadataTimeout, "MetadataTimeout must be positive.");
        }
    }
}
