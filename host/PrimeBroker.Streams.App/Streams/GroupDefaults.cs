using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Streams;

/// <summary>
/// How fast this instance's group notices a dead member and hands over its partitions, per cluster kind; the host's
/// <c>Streams</c> settings override each value. Trade-offs (host/README.md, "Instances that die"):
/// <list type="bullet">
/// <item>Embedded cluster (librdkafka's mock, in <c>demo</c> or a <c>dev-cluster</c>): session timeout 2 s, heartbeat
/// 400 ms. The mock drops a member whose last heartbeat is a session timeout old on a once-a-second timer, then holds
/// the join round open for the session timeout minus 1 s even when everyone has rejoined; so a killed instance's
/// partitions are reassigned 2.5-4 s after the kill (3 s: 4-6 s) and a graceful stop's within about 1 s of its
/// LeaveGroup (3 s: 2 s). The heartbeat must come well within that 1 s round, or a survivor that hears of the
/// rebalance late misses it and costs another. Why not shorter: at 1 s the round lasts the whole session timeout and
/// the mock expires members that are still waiting in it. What 2 s costs: a member whose heartbeats stop reaching the
/// mock for about 1.6 s (librdkafka's own threads or the mock's starved of CPU; a .NET garbage collection does not stop
/// them) loses its session; its partitions are revoked as lost and restored (a rebalance, never wrong data: exactly-once
/// holds). The engine's multi-process tests run with the same 2 s and 400 ms. Static membership is off: the mock
/// ignores it.</item>
/// <item>Real Kafka cluster: session timeout 6 s (the brokers' default <c>group.min.session.timeout.ms</c>, the lowest
/// they accept), heartbeat 1 s: a member hears of a rebalance at its next heartbeat and the broker completes the join
/// once every member rejoined, so the heartbeat bounds how long the others wait (one request a second per member is
/// nothing to the coordinator). Heartbeats come from librdkafka's own thread, which a .NET garbage collection does not
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
/// restores from whatever that instance has (exact either way). A restarted instance on the embedded cluster is a new
/// member, and librdkafka's cooperative-sticky assignor gives it running partitions of the others, not its old ones:
/// with three instances only two standbys per task (a standby of every task on every instance) can make every such
/// move warm (not shown on a loaded machine: bench/README.md, failover);
/// on a real cluster static membership gives a member that rejoins within the session timeout its own partitions back
/// (host/README.md, "Restarts and rolling restarts").
/// The classic group protocol on both: KIP-848 (<c>Streams:GroupProtocol=Consumer</c>) hands partitions over faster on
/// the embedded cluster with two instances, but its mock assignor keeps nothing, so with three instances every join or
/// leave also moves partitions between the others, which restore them cold, and the failover bench got slower; a real
/// cluster needs Apache Kafka 4.0 or later for it, and its session timeout is then the broker's (45 s minimum by
/// default). Measured and reasoned in engine/PrimeBroker.Streams.Engine/REBALANCING.md, section 4.
/// </summary>
internal sealed record GroupDefaults(TimeSpan SessionTimeout, TimeSpan HeartbeatInterval, bool StaticMembership, TimeSpan? TransactionTimeout, int StandbyReplicas,
    GroupProtocol GroupProtocol)
{
    /// <summary>librdkafka's mock: short timeouts, no static membership (ignored there), one standby per task.</summary>
    internal static readonly GroupDefaults Embedded = new(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(400), StaticMembership: false, TransactionTimeout: null, StandbyReplicas: 1,
        GroupProtocol.Classic);

    /// <summary>An Apache Kafka cluster: the lowest session timeout brokers accept by default, static membership, a
    /// transaction timeout below the session timeout, one standby per task, the classic protocol (every broker has it;
    /// KIP-848 needs Apache Kafka 4.0 or later and is chosen with <c>Streams:GroupProtocol</c>).</summary>
    internal static readonly GroupDefaults RealCluster = new(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(1), StaticMembership: true, TransactionTimeout: TimeSpan.FromSeconds(5), StandbyReplicas: 1,
        GroupProtocol.Classic);

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
        GroupProtocol = options.GroupProtocol ?? GroupProtocol,
    };
}
