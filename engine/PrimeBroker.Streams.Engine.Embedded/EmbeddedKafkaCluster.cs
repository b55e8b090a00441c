using System.Runtime.InteropServices;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeBroker.Streams.Engine.Embedded.Internal;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.Engine.Embedded;

/// <summary>
/// An in-memory Kafka cluster for development and tests: librdkafka's mock cluster, run inside this process through the
/// librdkafka that Confluent.Kafka ships, listening on loopback so other processes can connect too.
/// </summary>
/// <remarks>
/// <para>Lifecycle:</para>
/// <list type="number">
/// <item><see cref="Start"/> creates a librdkafka client with <c>test.mock.num.brokers</c>; that client owns the mock
/// brokers (ids 1 to <see cref="EmbeddedKafkaClusterOptions.BrokerCount"/>) and their loopback listeners.</item>
/// <item>Clients connect to <see cref="BootstrapServers"/>. Topics are created with <see cref="CreateTopic"/> or
/// <see cref="CreateTopicProvisioner"/>; unknown topics are also auto-created on produce (4 partitions).</item>
/// <item><see cref="Dispose"/> destroys the brokers and every record they hold.</item>
/// </list>
/// <para>The mock is not Kafka. Its limits (librdkafka 2.16, see <c>src/rdkafka_mock*.c</c>) which production code must
/// never depend on:</para>
/// <list type="bullet">
/// <item>No CreateTopics request: <c>AdminClient.CreateTopicsAsync</c> times out. Use the mock API (this class).</item>
/// <item>No DeleteRecords request: truncate with <see cref="DeleteRecords"/>.</item>
/// <item>Transactional offset commits (<c>SendOffsetsToTransaction</c>) are answered but NOT stored; plain OffsetCommit is.</item>
/// <item>read_committed consumers see records of aborted and still-open transactions (LSO = high watermark, no aborted
/// transaction list).</item>
/// <item>Each partition keeps at most 5 MiB or 100,000 batches; older batches are dropped silently. No compaction, no
/// retention, no topic configs, nothing on disk.</item>
/// <item>Static group membership (<c>group.instance.id</c>) is not honoured; the session timeout of the join request is
/// used with no broker minimum.</item>
/// </list>
/// <para>Thread-safety: every member may be called from any thread. The mock API hands each call to the cluster's own
/// thread and waits for it; <see cref="Dispose"/> waits for calls in flight, and later calls throw
/// <see cref="ObjectDisposedException"/>.</para>
/// <para>Fault-injection methods throw <see cref="KafkaException"/> with the mock's error code when it refuses a call
/// (for example an unknown topic, partition or broker).</para>
/// </remarks>
public sealed class EmbeddedKafkaCluster : IDisposable, IAsyncDisposable
{
    private readonly MockClusterHandle _handle;
    private readonly EmbeddedKafkaClusterOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    private EmbeddedKafkaCluster(MockClusterHandle handle, EmbeddedKafkaClusterOptions options, ILoggerFactory loggerFactory)
    {
        _handle = handle;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<EmbeddedKafkaCluster>();
        using var lease = handle.Acquire();
        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterNative.rd_kafka_mock_cluster_bootstraps(lease.MockCluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
        MockClusterNative.rd_kafka_mock_group_initial_rebalance_delay_ms(
            lease.MockCluster, (int)options.GroupInitialRebalanceDelay.TotalMilliseconds);
        MockClusterNative.rd_kafka_mock_set_group_consumer_session_timeout_ms(
            lease.MockCluster, (int)options.ConsumerGroupSessionTimeout.TotalMilliseconds);
        MockClusterNative.rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(
            lease.MockCluster, (int)options.ConsumerGroupHeartbeatInterval.TotalMilliseconds);
    }

    /// <summary>Comma-separated <c>host:port</c> list of the brokers' loopback listeners, e.g.
    /// <c>127.0.0.1:39343,127.0.0.1:39393,127.0.0.1:40011</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; their ids are 1 to <c>BrokerCount</c>.</summary>
    public int BrokerCount => _options.BrokerCount;

    /// <summary>The native library the mock API is bound to (the one Confluent.Kafka loaded), for diagnostics.</summary>
    internal static string? NativeLibraryPath => LibrdkafkaResolver.LoadedPath;

    /// <summary>Starts a cluster. Returns when its listeners accept connections.</summary>
    /// <param name="options">Settings; null means defaults (3 brokers).</param>
    /// <param name="loggerFactory">Logging; null means none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    /// <exception cref="InvalidOperationException">librdkafka could not create the cluster.</exception>
    /// <exception cref="DllNotFoundException">The librdkafka native library could not be loaded.</exception>
    public static EmbeddedKafkaCluster Start(EmbeddedKafkaClusterOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        options ??= new EmbeddedKafkaClusterOptions();
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var handle = MockClusterHandle.Create(options.BrokerCount);
        try
        {
            var cluster = new EmbeddedKafkaCluster(handle, options, loggerFactory);
            EmbeddedLog.ClusterStarted(cluster._logger, options.BrokerCount, cluster.BootstrapServers, NativeLibraryPath);
            return cluster;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A provisioner that creates missing topics through the mock API and verifies existing ones by a metadata request.
    /// Topic configs are ignored (the mock has none); the replication factor is capped at <see cref="BrokerCount"/>.
    /// </summary>
    /// <returns>A new provisioner bound to this cluster; pass it as <see cref="StreamsConfig.TopicProvisioner"/>.</returns>
    public ITopicProvisioner CreateTopicProvisioner() =>
        new EmbeddedTopicProvisioner(this, _options.MetadataTimeout, _loggerFactory.CreateLogger<EmbeddedTopicProvisioner>());

    /// <summary>Creates a topic (<c>rd_kafka_mock_topic_create</c>).</summary>
    /// <exception cref="KafkaException">With <see cref="ErrorCode.TopicAlreadyExists"/> if it exists (whatever its
    /// partition count), or another code if the mock refuses.</exception>
    /// <param name="topic">Topic name; not null or empty.</param>
    /// <param name="partitions">Partition count, at least 1.</param>
    /// <param name="replicationFactor">Replicas per partition, at least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitions"/> or
    /// <paramref name="replicationFactor"/> is below 1.</exception>
    public void CreateTopic(string topic, int partitions, int replicationFactor)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        using var lease = _handle.Acquire();
        Check(MockClusterNative.rd_kafka_mock_topic_create(lease.MockCluster, topic, partitions, replicationFactor));
    }

    /// <summary>Deletes a topic and all its partitions; later requests for it get UNKNOWN_TOPIC_OR_PART.</summary>
    /// <param name="topic">Topic name; not null or empty.</param>
    /// <exception cref="KafkaException">The topic does not exist.</exception>
    public void DeleteTopic(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        using var lease = _handle.Acquire();
        Check(MockClusterNative.rd_kafka_mock_topic_delete(lease.MockCluster, topic));
        EmbeddedLog.TopicDeleted(_logger, topic);
    }

    /// <summary>
    /// Truncates the head of a partition on purpose: the log start offset (low watermark) becomes
    /// <paramref name="beforeOffset"/> and whole batches before it are removed. Use it to simulate a changelog or input
    /// that lost its head (as the 5 MiB cap or retention would do).
    /// </summary>
    /// <exception cref="KafkaException">Unknown topic or partition, or <paramref name="beforeOffset"/> beyond the end
    /// offset (OFFSET_OUT_OF_RANGE).</exception>
    /// <param name="topic">Topic name; not null or empty.</param>
    /// <param name="partition">Partition id.</param>
    /// <param name="beforeOffset">The new log start offset; zero or more.</param>
    public void DeleteRecords(string topic, int partition, long beforeOffset)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(beforeOffset);
        using var lease = _handle.Acquire();
        Check(MockClusterNative.rd_kafka_mock_partition_delete_records(lease.MockCluster, topic, partition, beforeOffset));
        EmbeddedLog.RecordsDeleted(_logger, topic, partition, beforeOffset);
    }

    /// <summary>Disconnects a broker and refuses new connections. Does NOT move partition leadership (see
    /// <see cref="SetPartitionLeader"/>).</summary>
    /// <param name="brokerId">1 to <see cref="BrokerCount"/>, or -1 for all brokers.</param>
    public void SetBrokerDown(int brokerId)
    {
        using var lease = _handle.Acquire();
        Check(MockClusterNative.rd_kafka_mock_broker_set_down(lease.MockCluster, brokerId));
        EmbeddedLog.BrokerDown(_logger, brokerId);
    }

    /// <summary>Makes a broker accept connections again. Does NOT move partition leadership.</summary>
    /// <param name="brokerId">1 to <see cref="BrokerCount"/>, or -1 for all brokers.</param>
    public void SetBrokerUp(int brokerId)
    {
        using var lease = _handle.Acquire();
        Check(MockClusterNative.rd_kafka_mock_broker_set_up(lease.MockCluster, brokerId));
        EmbeddedLog.BrokerUp(_logger, brokerId);
    }

    /// <summary>Moves a partition's leadership. The mock creates the topic if it does not exist.</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partition">Partition id.</param>
    /// <param name="brokerId">An existing broker id, or -1 to leave the partition without a leader.</param>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        using var lease = _handle.Acquire();
        Check(MockClusterNative.rd_kafka_mock_partition_set_leader(lease.MockCluster, topic, partition, brokerId));
        EmbeddedLog.LeaderMoved(_logger, topic, partition, brokerId);
    }

    /// <summary>Delays every response of a broker by <paramref name="roundTripTime"/> (whole milliseconds; zero
    /// removes the delay).</summary>
    /// <param name="brokerId">1 to <see cref="BrokerCount"/>, or -1 for all brokers.</param>
    /// <param name="roundTripTime">Added delay; zero or more.</param>
    public void SetBrokerRoundTripTime(int brokerId, TimeSpan roundTripTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(roundTripTime, TimeSpan.Zero);
        using var lease = _handle.Acquire();
        Check(MockClusterNative.rd_kafka_mock_broker_set_rtt(lease.MockCluster, brokerId, (int)roundTripTime.TotalMilliseconds));
    }

    /// <summary>
    /// Makes the next <c>errors.Count</c> requests of Kafka protocol type <paramref name="apiKey"/> (e.g. 0 = Produce,
    /// 1 = Fetch, 8 = OffsetCommit, 28 = TxnOffsetCommit), on any broker, fail with these errors in order. A request
    /// answered with <see cref="ErrorCode.Local_Transport"/> makes the broker disconnect the client instead.
    /// </summary>
    /// <param name="apiKey">The Kafka protocol API key of the requests to fail.</param>
    /// <param name="errors">The errors, in order; each is used once.</param>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> is null.</exception>
    public void PushRequestErrors(short apiKey, params IReadOnlyList<ErrorCode> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var codes = new int[errors.Count];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = (int)errors[i];
        }

        using var lease = _handle.Acquire();
        MockClusterNative.rd_kafka_mock_push_request_errors_array(lease.MockCluster, apiKey, (nuint)codes.Length, codes);
    }

    /// <summary>Drops the errors still queued by <see cref="PushRequestErrors"/> for <paramref name="apiKey"/>.</summary>
    /// <param name="apiKey">The Kafka protocol API key.</param>
    public void ClearRequestErrors(short apiKey)
    {
        using var lease = _handle.Acquire();
        MockClusterNative.rd_kafka_mock_clear_request_errors(lease.MockCluster, apiKey);
    }

    /// <summary>Stops the brokers and frees every record. Blocks until librdkafka has torn the cluster down; idempotent.</summary>
    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        _handle.Dispose();
        EmbeddedLog.ClusterStopped(_logger, BootstrapServers);
    }

    /// <summary>Same as <see cref="Dispose"/>, off the caller's thread (tearing down can take a moment).</summary>
    public async ValueTask DisposeAsync() => await Task.Run(Dispose).ConfigureAwait(false);

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new KafkaException((ErrorCode)error);
        }
    }
}
