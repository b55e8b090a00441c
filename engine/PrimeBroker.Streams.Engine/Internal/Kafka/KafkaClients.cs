using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Internal.State;

namespace PrimeBroker.Streams.Engine.Internal.Kafka;

/// <summary>
/// Builds every Kafka client of an application from its <see cref="StreamsConfig"/>: the user's extra settings
/// (<see cref="StreamsConfig.ClientConfig"/>) first, then the settings the engine owns for that client's job. The one
/// place that knows how the engine's clients are configured.
/// </summary>
/// <remarks>A stream thread's three clients (<see cref="StreamConsumer"/>, <see cref="ChangelogReader"/>,
/// <see cref="StreamProducer"/>) are virtual only so the engine's unit tests can run a real stream thread over an
/// in-memory cluster; the product never overrides them.</remarks>
internal class KafkaClients
{
    private readonly StreamsConfig _config;
    private readonly ILogger _logger;

    public KafkaClients(StreamsConfig config, ILoggerFactory loggerFactory)
    {
        _config = config;
        _logger = loggerFactory.CreateLogger<KafkaClients>();
    }

    /// <summary>An admin client for metadata and topic creation.</summary>
    public IAdminClient Admin() =>
        new AdminClientBuilder(new AdminClientConfig(Base()) { BootstrapServers = _config.BootstrapServers }).Build();

    /// <summary>A stream thread's group member. The rebalance callbacks run inside its Consume, on the caller's thread.</summary>
    /// <param name="threadName">Names the client.</param>
    /// <param name="rebalancing">Protocol and assignor (<see cref="GroupRebalancing.For(StreamsConfig, bool)"/>). Every
    /// member of a group must agree.</param>
    /// <param name="onAssigned">Partitions added; returns their start positions.</param>
    /// <param name="onRevoked">Partitions taken away (all of them under eager range).</param>
    /// <param name="onLost">Partitions lost without a revoke (session expired, fenced).</param>
    /// <param name="groupInstanceId">The member's static id (<see cref="StreamsConfig.StaticMembership"/>), or null.</param>
    public virtual IConsumer<byte[], byte[]> StreamConsumer(
        string threadName,
        GroupRebalancing rebalancing,
        string? groupInstanceId,
        Func<List<TopicPartition>, IEnumerable<TopicPartitionOffset>> onAssigned,
        Action<List<TopicPartitionOffset>> onRevoked,
        Action<List<TopicPartitionOffset>> onLost)
    {
        var config = StreamConsumerConfig(threadName, rebalancing, groupInstanceId);
        return new ConsumerBuilder<byte[], byte[]>(config)
            .SetPartitionsAssignedHandler((_, partitions) => onAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => onRevoked(partitions))
            .SetPartitionsLostHandler((_, partitions) => onLost(partitions))
            .SetLogHandler((_, m) => _logger.ClientLog(ClientLogLevels.For(m), m.Name, m.Message))
            .SetErrorHandler((_, e) => _logger.ClientError(ClientLogLevels.ForError(e), threadName, e.ToString()))
            .Build();
    }

    /// <summary>The settings of <see cref="StreamConsumer"/>.</summary>
    internal ConsumerConfig StreamConsumerConfig(string threadName, GroupRebalancing rebalancing, string? groupInstanceId)
    {
        var config = new ConsumerConfig(Base())
        {
            BootstrapServers = _config.BootstrapServers,
            GroupId = _config.ApplicationId,
            ClientId = $"{threadName}-consumer",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // A position that fell off the log is an error, never a silent reset (see StreamThread.HandleOutOfRange).
            AutoOffsetReset = AutoOffsetReset.Error,
            IsolationLevel = _config.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2 ? IsolationLevel.ReadCommitted : IsolationLevel.ReadUncommitted,
            GroupInstanceId = groupInstanceId,
            FetchMaxBytes = 50 * 1024 * 1024,
            MaxPartitionFetchBytes = 10 * 1024 * 1024,
            QueuedMinMessages = 100_000,
            FetchWaitMaxMs = FetchWaitMs(),
        };
        if (rebalancing.Protocol == GroupProtocol.Consumer)
        {
            // KIP-848: the coordinator assigns (group.remote.assignor picks its assignor; range keeps co-partitioned
            // topics' partition p on one member) and owns session timeout and heartbeat interval; librdkafka refuses a
            // consumer that sets them or an assignment strategy.
            config.GroupProtocol = Confluent.Kafka.GroupProtocol.Consumer;
            config.GroupRemoteAssignor = rebalancing.RemoteAssignor;
        }
        else
        {
            // Range keeps co-partitioned topics' partition p on one member, so one task owns them; cooperative-sticky
            // does not, so it is used only where every task reads one topic.
            config.PartitionAssignmentStrategy = rebalancing.Incremental ? PartitionAssignmentStrategy.CooperativeSticky : PartitionAssignmentStrategy.Range;
            config.SessionTimeoutMs = (int)_config.SessionTimeout.TotalMilliseconds;
            config.HeartbeatIntervalMs = (int)_config.HeartbeatInterval.TotalMilliseconds;
        }

        return config;
    }

    /// <summary>fetch.wait.max.ms of the restore consumer.</summary>
    internal const int RestoreFetchWaitMs = 10;

    /// <summary>A stream thread's changelog reader over its own restore consumer (<see cref="RestoreConsumer"/>); the
    /// caller disposes it.</summary>
    public virtual IChangelogReader ChangelogReader(string threadName) =>
        new KafkaChangelogReader(RestoreConsumer(threadName), _config.RequestTimeout, _config.TransactionTimeout, _config.ReadCommittedHidesUncommitted);

    /// <summary>A stream thread's restore consumer: read_committed, never joins the group.</summary>
    public IConsumer<byte[], byte[]> RestoreConsumer(string threadName)
    {
        var config = new ConsumerConfig(Base())
        {
            BootstrapServers = _config.BootstrapServers,
            GroupId = _config.ApplicationId + "-restore",
            ClientId = $"{threadName}-restore-consumer",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            FetchMaxBytes = 50 * 1024 * 1024,
            MaxPartitionFetchBytes = 10 * 1024 * 1024,
            // A restore reads up to an end offset it knows and then reassigns the consumer to the next changelog: a
            // fetch left waiting at a log end would hold up the next partition's first fetch on that broker for the
            // whole wait (librdkafka's default 500 ms; the embedded cluster always waits it out). The reader is idle
            // between restores, so the short wait costs a few empty fetches per restore only.
            FetchWaitMaxMs = RestoreFetchWaitMs,
        };
        return new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, m) => _logger.ClientLog(ClientLogLevels.For(m), m.Name, m.Message)).Build();
    }

    /// <summary>A stream thread's producer: transactional under exactly-once, idempotent always.</summary>
    public virtual IProducer<byte[], byte[]> StreamProducer(string threadName, string transactionalId)
    {
        var config = new ProducerConfig(Base())
        {
            BootstrapServers = _config.BootstrapServers,
            ClientId = $"{threadName}-producer",
            EnableIdempotence = true,
            // Kafka Streams' producer default. Every commit flushes (a flush sends at once, linger or not), so a record
            // waits at most until its commit, as with any linger. librdkafka puts one partition in each produce request
            // and an idempotent producer has at most 5 requests in flight per broker (confluentinc/librdkafka#1700): with
            // 5 ms, the outputs left in small batches while processing (2-3 records each, 81 % of all produce requests
            // in a debug log of the end-to-end bench at 2,000 trades/s), work for librdkafka's broker threads and the
            // cluster while a read_committed reader sees none of it before the commit; with 100 they leave in the commit's flush, one batch per
            // partition. Measured at 500 trades/s, 2 threads: 352 produce requests per commit cycle with 5, 188 with 100
            // (bench/README.md, issue 20).
            LingerMs = 100,
            // Null-keyed records only; keyed ones get their partition from Partitioning (Java murmur2).
            Partitioner = Partitioner.Murmur2Random,
            QueueBufferingMaxMessages = 1_000_000,
            // The engine reads a delivery report's error and offset only (always filled in); copying each record's key,
            // value and headers back into managed memory for every report cost measurable stream-thread time.
            DeliveryReportFields = "none",
            // Delivery reports are served by whoever flushes (the stream thread's Flush, the commit and abort on the
            // call thread), not by a background thread. librdkafka's flush polls the report queue itself in steps of
            // at most 10 ms; when another thread served the last report, the flush sleeps out its step. With
            // Confluent.Kafka's background poll thread that cost up to 10 ms per flush, two flushes per commit: on the
            // embedded cluster the commit's second flush took 10.2 ms at the median for one marker (end-to-end bench,
            // 15 trades/s), and 0.3 ms with this setting. Nothing else waits for these reports: the transaction's
            // flushes and Poll on a full queue serve them.
            EnableBackgroundPoll = false,
        };
        if (_config.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2)
        {
            config.TransactionalId = transactionalId;
            config.TransactionTimeoutMs = (int)_config.TransactionTimeout.TotalMilliseconds;
        }

        return new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, m) => _logger.ClientLog(ClientLogLevels.For(m), m.Name, m.Message)).Build();
    }

    /// <summary>The global stores' reader: all partitions of the global topics, read_committed.</summary>
    public IConsumer<byte[], byte[]> GlobalConsumer() =>
        new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig(Base())
        {
            BootstrapServers = _config.BootstrapServers,
            GroupId = _config.ApplicationId + "-global",
            ClientId = _config.ApplicationId + "-global-consumer",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            FetchWaitMaxMs = FetchWaitMs(),
        }).Build();

    /// <summary>The instance directory's announcer.</summary>
    public IProducer<string, string> DirectoryProducer() =>
        new ProducerBuilder<string, string>(new ProducerConfig(Base())
        {
            BootstrapServers = _config.BootstrapServers,
            ClientId = _config.ApplicationId + "-instances-producer",
            EnableIdempotence = true,
            LingerMs = 0,
        }).Build();

    /// <summary>The instance directory's follower.</summary>
    public IConsumer<string, string> DirectoryConsumer() =>
        new ConsumerBuilder<string, string>(new ConsumerConfig(Base())
        {
            BootstrapServers = _config.BootstrapServers,
            GroupId = _config.ApplicationId + "-instances",
            ClientId = _config.ApplicationId + "-instances-consumer",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();

    private Dictionary<string, string> Base() => new(_config.ClientConfig);

    // Null leaves librdkafka's default, or what ClientConfig says.
    private int? FetchWaitMs() => _config.FetchWaitMax is { } wait ? (int)wait.TotalMilliseconds
        : _config.ClientConfig.TryGetValue("fetch.wait.max.ms", out var text) && int.TryParse(text, out var ms) ? ms : null;
}
