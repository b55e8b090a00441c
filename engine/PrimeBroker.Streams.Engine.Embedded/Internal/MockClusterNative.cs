using System.Runtime.InteropServices;

namespace PrimeBroker.Streams.Engine.Embedded.Internal;

/// <summary>
/// P/Invoke declarations for the part of librdkafka's C API the embedded cluster needs (<c>rdkafka.h</c> and the
/// experimental mock API in <c>rdkafka_mock.h</c>). Error returns are <c>rd_kafka_resp_err_t</c>, whose values are those
/// of <see cref="Confluent.Kafka.ErrorCode"/>.
/// </summary>
/// <remarks>Resolved through <see cref="LibrdkafkaResolver"/>; call <see cref="LibrdkafkaResolver.EnsureRegistered"/>
/// before the first call. The variadic <c>rd_kafka_mock_push_request_errors</c> is deliberately not declared (varargs
/// cannot be marshalled portably); <c>rd_kafka_mock_push_request_errors_array</c> does the same.</remarks>
internal static partial class MockClusterNative
{
    internal const int ProducerType = 0; // RD_KAFKA_PRODUCER
    internal const int ConfOk = 0; // RD_KAFKA_CONF_OK

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial void rd_kafka_conf_destroy(IntPtr conf);

    [LibraryImport(LibrdkafkaResolver.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial IntPtr rd_kafka_handle_mock_cluster(IntPtr rk);

    /// <summary>Returns a string owned by the cluster, valid until it is destroyed.</summary>
    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr mcluster, int delayMs);

    /// <summary>KIP-848 (<c>group.protocol=consumer</c>) groups: the broker-side session timeout.</summary>
    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial void rd_kafka_mock_set_group_consumer_session_timeout_ms(IntPtr mcluster, int sessionTimeoutMs);

    /// <summary>KIP-848 groups: the heartbeat interval the broker tells its members.</summary>
    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial void rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(IntPtr mcluster, int heartbeatIntervalMs);

    [LibraryImport(LibrdkafkaResolver.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibrdkafkaResolver.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_delete(IntPtr mcluster, string topic);

    [LibraryImport(LibrdkafkaResolver.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_delete_records(IntPtr mcluster, string topic, int partition, long beforeOffset);

    [LibraryImport(LibrdkafkaResolver.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_set_leader(IntPtr mcluster, string topic, int partition, int brokerId);

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_rtt(IntPtr mcluster, int brokerId, int rttMs);

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial void rd_kafka_mock_push_request_errors_array(IntPtr mcluster, short apiKey, nuint count, int[] errors);

    [LibraryImport(LibrdkafkaResolver.LibraryName)]
    internal static partial void rd_kafka_mock_clear_request_errors(IntPtr mcluster, short apiKey);
}
