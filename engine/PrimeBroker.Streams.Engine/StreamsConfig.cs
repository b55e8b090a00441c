using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.Engine;

/// <summary>
/// Settings of a <see cref="StreamsApplication"/>, the counterpart of Kafka Streams' <c>StreamsConfig</c>. Immutable;
/// <see cref="Validate"/> runs when the application is created, so a bad value fails at start, not at the first record.
/// </summary>
public sealed record StreamsConfig
{
    /// <summary>Consumer group id and prefix of internal topics and transactional ids. Required.</summary>
    public required string ApplicationId { get; init; }

    /// <summary>Kafka bootstrap servers, <c>host:port,...</c>. Required.</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>Root of local state; each application uses <c>&lt;StateDirectory&gt;/&lt;ApplicationId&gt;</c>. Two
    /// instances must not share one. Default: <c>&lt;temp&gt;/primebroker-streams</c>.</summary>
    public string StateDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "primebroker-streams");

    /// <summary>Stream threads in this instance; each is a group member with its own transactional producer. Default 1.</summary>
    public int NumStreamThreads { get; init; } = 1;

    /// <summary>Exactly-once (one transaction per thread and commit) or at-least-once. Default
    /// <see cref="ProcessingGuarantee.ExactlyOnceV2"/>.</summary>
    public ProcessingGuarantee ProcessingGuarantee { get; init; } = ProcessingGuarantee.ExactlyOnceV2;

    /// <summary>The longest a stream thread goes between the starts of two commits while it has uncommitted work. It
    /// commits sooner when its input is caught up (see <see cref="MinCommitInterval"/>). Default 100 ms, Kafka Streams'
    /// fixed interval under EOS.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Most records a thread processes between two checks of the commit interval and punctuators. Default 1000.</summary>
    public int MaxRecordsPerPoll { get; init; } = 1000;

    /// <summary>This instance's <c>host:port</c> for interactive-query routing; null when it serves no queries.</summary>
    public string? ApplicationServer { get; init; }

    /// <summary>Group session timeout: how long a killed instance keeps its partitions. Default 45 s (a real broker
    /// enforces group.min.session.timeout.ms, 6 s by default). Under <see cref="GroupProtocol.Consumer"/> the cluster
    /// owns the session timeout and the consumer does not send this value: set it to what the cluster uses (the engine's
    /// freeze check, which suspects a lost membership after a pause of half of it, reads it).</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>Heartbeat interval; must be well below <see cref="SessionTimeout"/>. Default 3 s. Not sent under
    /// <see cref="GroupProtocol.Consumer"/> (the cluster's).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Transaction timeout: how long an abandoned transaction blocks read_committed readers on a real cluster.
    /// Default 10 s, as Kafka Streams.</summary>
    public TimeSpan TransactionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the cluster's read_committed reads return records of committed transactions only, as every Apache Kafka
    /// broker's do. On: restores apply a changelog in bounded chunks (at most 10,000 records or 16 MiB per local
    /// batch), so a large or compacted changelog restores in bounded memory. Off (default): a restore buffers each
    /// transaction until its commit marker, which is also right where read_committed readers see aborted and open
    /// transactions' records (librdkafka's mock, the embedded cluster), and holds the largest transaction in memory: on
    /// a compacted changelog, where one marker survives, the whole store. Never turn it on for the embedded cluster.
    /// </summary>
    public bool ReadCommittedHidesUncommitted { get; init; }

    /// <summary>Replication factor of changelog and repartition topics. Default 3.</summary>
    public short InternalTopicReplicationFactor { get; init; } = 3;

    /// <summary>Where dead letters go with the default deserialization handler; null fails the task instead.</summary>
    public string? DeadLetterTopic { get; init; }

    /// <summary>Default: <see cref="DeadLetterExceptionHandler"/> with <see cref="DeadLetterTopic"/>.</summary>
    public IDeserializationExceptionHandler? DeserializationExceptionHandler { get; init; }

    /// <summary>Default: fail the task.</summary>
    public IProcessingExceptionHandler ProcessingExceptionHandler { get; init; } = FailOnErrorHandler.Instance;

    /// <summary>Default: fail the task.</summary>
    public IProductionExceptionHandler ProductionExceptionHandler { get; init; } = FailOnErrorHandler.Instance;

    /// <summary>Creates internal topics. Default: <see cref="AdminClientTopicProvisioner"/> (CreateTopics); the
    /// embedded cluster supplies its own, because its brokers do not implement CreateTopics.</summary>
    public ITopicProvisioner? TopicProvisioner { get; init; }

    /// <summary>Extra librdkafka settings for every Kafka client the engine creates: the stream threads' consumers and
    /// producers, the restore, global-store and instance-directory clients, and the admin client used at start (e.g.
    /// security). Keys the engine owns (group.id, isolation.level, transactional.id, ...) are refused.</summary>
    public IReadOnlyDictionary<string, string> ClientConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>How long a task whose input has lag may go without its committed position advancing before it is
    /// reported as stalled (warning log, metric <c>kafka.streams.tasks</c> with state <c>stalled</c>, <see cref="StreamsHealthStatus.Degraded"/>);
    /// also how long a stream thread may stay inside one call. Default 60 s.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a task that stopped on a transient error (a Kafka error that is not fatal, a timeout) waits
    /// before it is started again; the wait doubles with each failed attempt, up to 60 s. Permanent errors (a handler
    /// chose to fail, lost input, a truncated changelog) are not retried. Default 1 s.</summary>
    public TimeSpan TaskRetryBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether the stream consumers may use librdkafka's <c>cooperative-sticky</c> assignor, so that a rebalance revokes
    /// only the partitions that move. It is used only when every task reads exactly one topic (range is needed to keep
    /// partition p of co-partitioned topics on one member, and librdkafka takes no custom assignor); otherwise, and when
    /// false, the group uses <c>range</c> with the eager protocol, where a revoked task is suspended after its commit
    /// and resumed without a restore if it comes back. Every instance of an application must use the same value.
    /// Default false: on the embedded cluster a member that joined under cooperative-sticky sometimes received no
    /// partitions for over a minute while the owner was never asked to revoke (seen in the engine's kill tests).
    /// Classic protocol only: under <see cref="GroupProtocol.Consumer"/> every rebalance is incremental, whatever this says.
    /// </summary>
    public bool CooperativeRebalancing { get; init; }

    /// <summary>
    /// The consumer-group protocol (see <see cref="Engine.GroupProtocol"/>): <see cref="GroupProtocol.Classic"/>, or
    /// <see cref="GroupProtocol.Consumer"/> (KIP-848, Apache Kafka 4.0 and later; librdkafka's mock cluster, the
    /// embedded cluster, implements it too), under which every rebalance is incremental, also for topologies with
    /// co-partitioned inputs, and session timeout and heartbeat are the cluster's. Every instance of an application
    /// must use the same protocol; switch with all instances stopped. Default <see cref="GroupProtocol.Classic"/>.
    /// </summary>
    public GroupProtocol GroupProtocol { get; init; } = GroupProtocol.Classic;

    /// <summary>
    /// Static group membership (KIP-345): each stream thread's consumer joins with <c>group.instance.id</c>
    /// <c>&lt;application id&gt;-&lt;process id&gt;-&lt;thread&gt;</c>, where the process id is kept in the state directory,
    /// so an instance restarted with the same state directory within <see cref="SessionTimeout"/> gets its partitions back
    /// without a rebalance. The price: a static member does not leave the group when it stops, so a permanent stop moves
    /// its partitions only after the session timeout. Default false. librdkafka's mock cluster ignores it (it matches
    /// members by member id only).
    /// </summary>
    public bool StaticMembership { get; init; }

    /// <summary>Timeout of metadata, offset and transaction calls. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The commit policy's lower bound: a stream thread whose input is caught up (its last poll found no more records)
    /// and that has uncommitted work commits once this much time passed since its previous commit ended (or as long as
    /// that commit took, if longer: commits never take more than about half of the thread); while input keeps coming it
    /// commits every <see cref="CommitInterval"/>. Default 5 ms.
    /// </summary>
    /// <remarks>
    /// The trade-off against Kafka Streams' fixed 100 ms interval: under exactly-once a read_committed reader sees an
    /// output only when its transaction commits, so a fixed interval adds up to one interval (half on average) to every
    /// record's latency, at any load. Committing when the input is caught up makes the latency at low and medium load
    /// about one commit's duration; the price is more, smaller transactions while the load is low (each commit writes a
    /// marker per logged store of every task that processed something, and costs a round trip to the transaction
    /// coordinator), which is cheap then. Under a backlog the input is never caught up, so commits stay
    /// <see cref="CommitInterval"/> apart with large batches, as with a fixed interval. Set it equal to
    /// <see cref="CommitInterval"/> for the fixed interval; values above <see cref="CommitInterval"/> count as equal.
    /// </remarks>
    public TimeSpan MinCommitInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// librdkafka's <c>fetch.wait.max.ms</c> for the engine's consumers (stream, restore and global); null keeps
    /// librdkafka's default (500 ms). A real broker answers a fetch as soon as data arrives, so the default costs no
    /// latency there. An embedded cluster (librdkafka's mock) answers an empty fetch only after the full wait, even when
    /// data arrives meanwhile, so every hop at low load waits about half of it: set 5-10 ms there. Default null.
    /// </summary>
    public TimeSpan? FetchWaitMax { get; init; }

    /// <summary>
    /// Whether every transaction also commits the input offsets of every committing task to the consumer group
    /// (<c>SendOffsetsToTransaction</c>). The engine restores a stateful task's position from its commit markers, not
    /// from the group, so this only lets standard tools (<c>kafka-consumer-groups</c>, lag monitors) see the group's
    /// position. Off: offsets go into the transaction only for tasks without a changelog (whose position lives in the
    /// group alone), which saves a coordinator round trip per commit. Keep it on for a real cluster; the embedded cluster
    /// (librdkafka's mock) does not store transactional offsets at all. Default true.
    /// </summary>
    public bool TransactionalGroupOffsets { get; init; } = true;

    /// <summary>The default of <see cref="RocksDbBlockCacheBytes"/>: 64 MiB.</summary>
    public const long DefaultRocksDbBlockCacheBytes = 64L * 1024 * 1024;

    /// <summary>The default of <see cref="RocksDbWriteBufferBytes"/>: 32 MiB.</summary>
    public const long DefaultRocksDbWriteBufferBytes = 32L * 1024 * 1024;

    /// <summary>The default of <see cref="RocksDbFlushBytes"/>: 1 MiB.</summary>
    public const long DefaultRocksDbFlushBytes = 1024L * 1024;

    /// <summary>
    /// Bytes of RocksDB's LRU block cache, one cache shared by every persistent store of this application instance
    /// (each task's database and the global stores): data, index and filter blocks read from the store files. Together
    /// with <see cref="RocksDbWriteBufferBytes"/> it bounds RocksDB's memory, however many tasks the instance runs.
    /// Default 64 MiB; at least 1 MiB.
    /// </summary>
    public long RocksDbBlockCacheBytes { get; init; } = DefaultRocksDbBlockCacheBytes;

    /// <summary>
    /// Bytes of RocksDB memtables (writes not yet in a store file), shared by every persistent store of this instance
    /// through one write-buffer manager: beyond about seven eighths of it RocksDB flushes the largest memtables to disk.
    /// Writers are not stalled, so a burst can exceed it until those flushes end. Default 32 MiB; at least 1 MiB.
    /// </summary>
    public long RocksDbWriteBufferBytes { get; init; } = DefaultRocksDbWriteBufferBytes;

    /// <summary>
    /// Bytes (keys, values and checkpoints written to its stores) after which a task's RocksDB database flushes its
    /// memtables to disk, in the background. Stores whose changes all go to a changelog write no write-ahead log (the
    /// changelog is the log), so a killed process loses what was not flushed, and the task restores it from its
    /// changelogs on the next start: this setting bounds that restore, and keeps its start offset inside a changelog
    /// that drops old records (the embedded cluster keeps 5 MiB per partition; a real cluster compacts changelogs).
    /// Default 1 MiB; at least 64 KiB.
    /// </summary>
    public long RocksDbFlushBytes { get; init; } = DefaultRocksDbFlushBytes;

    /// <summary>
    /// Whether RocksDB's memory is bounded by the shared block cache (<see cref="RocksDbBlockCacheBytes"/>) and
    /// write-buffer manager (<see cref="RocksDbWriteBufferBytes"/>). Off: every column family of every database keeps
    /// RocksDB's own defaults (a block cache of its own, 64 MiB memtables, index and filter blocks outside any cache),
    /// so memory grows with the number of tasks and stores; for measuring what the bound saves, not for production.
    /// <see cref="RocksDbFlushBytes"/> applies either way. Default true.
    /// </summary>
    public bool RocksDbMemoryBound { get; init; } = true;

    /// <summary>
    /// Standby replicas per task: other instances that keep the task's stores warm by reading its changelogs (committed
    /// data only, with the restore's rules), so that when the task moves to one of them it restores only the tail
    /// written since. Placement is the engine's (librdkafka assigns the active partitions): every instance ranks the
    /// instances that do not own a task by a stable hash and the first this many keep a standby. Needs
    /// <see cref="ApplicationServer"/> (the instance directory tells who owns what) and a persistent logged store in the
    /// task; otherwise no standby is kept. Standbys never serve queries. Each costs disk, and fetches of the changelogs on
    /// stream thread 0. Default 0.
    /// </summary>
    public int NumStandbyReplicas { get; init; }

    /// <summary>How many changelog records a standby store reads at most per round before it stops at the next commit
    /// marker (a round comes at most once per <see cref="CommitInterval"/>, on stream thread 0). Tests lower it.</summary>
    internal int StandbyRecordsPerRound { get; init; } = 10_000;

    /// <summary>
    /// How long a graceful stop (<c>StreamsApplication.StopAsync</c>) waits in all for the stream threads to finish
    /// their last commit, close their tasks and leave the group, as Kafka Streams' <c>close(Duration)</c>. A thread still
    /// busy at the deadline is left behind: its open transaction is aborted by the broker (or fenced by the next owner)
    /// and its tasks recover at the next start, as after a kill. Give a host's shutdown timeout here, so the two agree.
    /// Default 30 s.
    /// </summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Told how each active task's state stores restore from their changelogs: start, every batch applied, end or
    /// suspension (Kafka Streams' <c>KafkaStreams.setGlobalStateRestoreListener</c>). One instance serves every task and
    /// is called on the stream threads, concurrently when there are several: see <see cref="State.IStateRestoreListener"/>
    /// for the order of calls and the threading contract. Standby tasks and global stores are not reported. Default
    /// null: none (the metric <c>kafka.streams.restore_remaining_records</c> and the health answer track the restore
    /// either way).
    /// </summary>
    public State.IStateRestoreListener? StateRestoreListener { get; init; }

    private static readonly string[] s_ownedKeys =
    [
        "group.id", "enable.auto.commit", "enable.auto.offset.store", "auto.offset.reset", "isolation.level", "transactional.id",
        "enable.idempotence", "partition.assignment.strategy", "bootstrap.servers", "group.protocol", "group.remote.assignor",
    ];

    // librdkafka refuses these with group.protocol=consumer (the cluster owns them).
    private static readonly string[] s_clusterOwnedUnderConsumer = ["session.timeout.ms", "heartbeat.interval.ms", "group.protocol.type"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, or <see cref="ClientConfig"/> sets a key the
    /// engine owns; <see cref="ArgumentException.ParamName"/> names the setting.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(ApplicationId) && ApplicationId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'),
            nameof(ApplicationId), "must be non-empty and use only ASCII letters, digits, '.', '_' and '-' (it names topics)");
        Require(!string.IsNullOrWhiteSpace(BootstrapServers), nameof(BootstrapServers), "is required");
        Require(!string.IsNullOrWhiteSpace(StateDirectory), nameof(StateDirectory), "is required");
        Require(NumStreamThreads is >= 1 and <= 64, nameof(NumStreamThreads), "must be 1..64");
        Require(CommitInterval >= TimeSpan.FromMilliseconds(1), nameof(CommitInterval), "must be at least 1 ms");
        Require(MinCommitInterval >= TimeSpan.Zero, nameof(MinCommitInterval), "must not be negative");
        Require(FetchWaitMax is null || FetchWaitMax >= TimeSpan.FromMilliseconds(1), nameof(FetchWaitMax), "must be at least 1 ms");
        Require(MaxRecordsPerPoll >= 1, nameof(MaxRecordsPerPoll), "must be at least 1");
        Require(SessionTimeout >= TimeSpan.FromMilliseconds(100), nameof(SessionTimeout), "must be at least 100 ms");
        Require(HeartbeatInterval < SessionTimeout, nameof(HeartbeatInterval), "must be below SessionTimeout");
        Require(TransactionTimeout >= TimeSpan.FromSeconds(1), nameof(TransactionTimeout), "must be at least 1 s");
        Require(InternalTopicReplicationFactor >= 1, nameof(InternalTopicReplicationFactor), "must be at least 1");
        Require(RequestTimeout >= TimeSpan.FromMilliseconds(100), nameof(RequestTimeout), "must be at least 100 ms");
        Require(CloseTimeout >= TimeSpan.Zero, nameof(CloseTimeout), "must not be negative");
        Require(StallTimeout >= TimeSpan.FromMilliseconds(100), nameof(StallTimeout), "must be at least 100 ms");
        Require(TaskRetryBackoff >= TimeSpan.FromMilliseconds(1) && TaskRetryBackoff <= TaskManagerMaxBackoff, nameof(TaskRetryBackoff), "must be 1 ms..60 s");
        Require(ApplicationServer is null || (ApplicationServer.LastIndexOf(':') is > 0 and var i && int.TryParse(ApplicationServer[(i + 1)..], out _)),
            nameof(ApplicationServer), "must be host:port");
        Require(RocksDbBlockCacheBytes >= 1024 * 1024, nameof(RocksDbBlockCacheBytes), "must be at least 1 MiB (1048576 bytes)");
        Require(RocksDbWriteBufferBytes >= 1024 * 1024, nameof(RocksDbWriteBufferBytes), "must be at least 1 MiB (1048576 bytes)");
        Require(RocksDbFlushBytes >= 64 * 1024, nameof(RocksDbFlushBytes), "must be at least 64 KiB (65536 bytes)");
        Require(NumStandbyReplicas >= 0, nameof(NumStandbyReplicas), "must not be negative");
        Require(StandbyRecordsPerRound >= 1, nameof(StandbyRecordsPerRound), "must be at least 1");
        var owned = ClientConfig.Keys.FirstOrDefault(k => s_ownedKeys.Contains(k));
        Require(owned is null, nameof(ClientConfig), $"must not set '{owned}': the engine sets it");
        Require(Enum.IsDefined(GroupProtocol), nameof(GroupProtocol), "must be Classic or Consumer");
        var clusterOwned = GroupProtocol == GroupProtocol.Consumer ? ClientConfig.Keys.FirstOrDefault(k => s_clusterOwnedUnderConsumer.Contains(k)) : null;
        Require(clusterOwned is null, nameof(ClientConfig), $"must not set '{clusterOwned}' with GroupProtocol.Consumer: the cluster sets it");
    }

    /// <summary>The engine's one clock: commit intervals, punctuators, task retry backoffs, stall and freeze detection
    /// and the tasks' wall clock read it. Tests pass a fake one to move time without waiting. Timeouts of calls into
    /// librdkafka (which keeps real time) do not use it. Default <see cref="TimeProvider.System"/>.</summary>
    internal TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    private static TimeSpan TaskManagerMaxBackoff => Internal.Runtime.TaskManager.MaxRetryBackoff;

    /// <summary>For engine tests only: called when a task is about to start (before its restore); an exception it
    /// returns is thrown there, as if the start had failed with it.</summary>
    internal Func<Processing.TaskId, Exception?>? TaskStartFault { get; init; }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"StreamsConfig.{name} {rule}.", name);
        }
    }
}
