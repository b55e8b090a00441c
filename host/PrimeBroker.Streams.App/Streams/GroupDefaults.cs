using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Streams;

/// <summary>
/// How fast this instance's group notices a dead member and hands over its partitions, per cluster kind; the host's
/// <c>Streams</c> settings override each value. Trade-offs (host/README.md, "Instances that die"):
/// <list type="bullet">
/// <item>Embedded cluster (librdkafka's mock, in <c>demo</c> or a <c>dev-cluster</c>): session timeout 3 s, heartbeat
/// 1 s. A killed instance's partitions move after 3-4 s. The mock holds every join round open for the session timeout
/// minus 1 s even when everyone rejoined, so each rebalance costs that long; below 3 s a stream thread that is busy
/// between two polls (a restore, a commit) on a loaded machine misses the round and loses its partitions. Static
/// membership is off: the mock ignores it.</item>
/// <item>Real Kafka cluster: session timeout 6 s (the brokers' default <c>group.min.session.timeout.ms</c>, the lowest
/// they accept), heartbeat 2 s. Heartbeats come from librdkafka's own thread, which a .NET garbage collection does not
/// stop, so a GC pause does not expire the member; a network or coordinator failover longer than 6 s does. Static
/// membership on: an instance restarted within the session timeout takes its partitions back without a rebalance,
/// but a static member does not leave the group when it stops, so a scale-down moves its partitions only after the
/// session timeout. Transaction timeout 5 s, below the session timeout: by the time a dead owner's partitions move, the
/// broker has aborted its open transaction, and the new owner's restore does not wait for it.</item>
/// </list>
/// Incremental (cooperative) rebalancing is on for both: the engine uses it only where every task reads one topic
/// (the prime-broker topology does), so the instances that keep their partitions never stop processing. One standby
/// replica per task for both: each task's stores are kept warm on one other instance, so a task that moves there
/// (a killed or stopped owner) restores only the changelog tail written since that standby's last round instead of the
/// whole changelog. The price: every instance also reads the changelogs of the tasks it keeps a standby of (on stream
/// thread 0, bounded to a quarter of each commit interval) and holds their stores on disk. With more than two instances
/// a moved task lands on the instance with its standby only when the group's assignor puts it there; elsewhere it
/// restores from whatever that instance has (exact either way).
/// </summary>
internal sealed record GroupDefaults(TimeSpan SessionTimeout, TimeSpan HeartbeatInterval, bool StaticMembership, TimeSpan? TransactionTimeout, int StandbyReplicas)
{
    /// <summary>librdkafka's mock: short timeouts, no static membership (ignored there), one standby per task.</summary>
    internal static readonly GroupDefaults Embedded = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), StaticMembership: false, TransactionTimeout: null, StandbyReplicas: 1);

    /// <summary>An Apache Kafka cluster: the lowest session timeout brokers accept by default, static membership, a
    /// transaction timeout below the session timeout, one standby per task.</summary>
    internal static readonly GroupDefaults RealCluster = new(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2), StaticMembership: true, TransactionTimeout: TimeSpan.FromSeconds(5), StandbyReplicas: 1);

    /// <summary>The defaults for the cluster kind.</summary>
    internal static GroupDefaults For(bool realCluster) => realCluster ? RealCluster : Embedded;

    /// <summary><paramref name="config"/> with these defaults where <paramref name="options"/> leaves a value unset.</summary>
    internal StreamsConfig ApplyTo(StreamsConfig config, StreamsOptions options) => config with
    {
        SessionTimeout = options.SessionTimeout ?? SessionTimeout,
        HeartbeatInterval = options.HeartbeatInterval ?? HeartbeatInterval,
        StaticMembership = options.StaticMembership ?? StaticMembership,
        TransactionTimeout = options.TransactionTimeout ?? TransactionTimeout ?? config.TransactionTimeout,
        CooperativeRebalancing = options.CooperativeRebalancing,
        NumStandbyReplicas = options.NumStandbyReplicas ?? StandbyReplicas,
    };
}
