using Microsoft.Win32.SafeHandles;

namespace PrimeBroker.Streams.Engine.Embedded.Internal;

/// <summary>
/// Owns the <c>rd_kafka_t</c> that hosts the mock cluster (created with <c>test.mock.num.brokers</c>). Destroying it
/// destroys the cluster. Callers of the mock API hold a reference (<see cref="Lease"/>) so a concurrent dispose cannot
/// free the cluster under a running call.
/// </summary>
internal sealed class MockClusterHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private MockClusterHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>The <c>rd_kafka_mock_cluster_t*</c>; valid while the handle is not released.</summary>
    internal IntPtr MockCluster { get; private set; }

    /// <summary>Creates the client and its mock cluster; throws <see cref="InvalidOperationException"/> with
    /// librdkafka's error text on failure.</summary>
    internal static MockClusterHandle Create(int brokerCount)
    {
        LibrdkafkaResolver.EnsureRegistered();
        var errstr = new byte[512];
        var conf = MockClusterNative.rd_kafka_conf_new();
        try
        {
            Set(conf, "test.mock.num.brokers", brokerCount.ToString(System.Globalization.CultureInfo.InvariantCulture), errstr);
            // The hosting client never produces; keep it quiet about the brokers it connects to and about the
            // notice that the mock replaced bootstrap.servers (warnings and errors still reach stderr).
            Set(conf, "log.connection.close", "false", errstr);
            Set(conf, "log_level", "4", errstr);
            var rk = MockClusterNative.rd_kafka_new(MockClusterNative.ProducerType, conf, errstr, (nuint)errstr.Length);
            if (rk == IntPtr.Zero)
            {
                throw new InvalidOperationException($"rd_kafka_new failed: {ErrorText(errstr)}");
            }

            conf = IntPtr.Zero; // owned by rk now
            var handle = new MockClusterHandle();
            handle.SetHandle(rk);
            handle.MockCluster = MockClusterNative.rd_kafka_handle_mock_cluster(rk);
            if (handle.MockCluster == IntPtr.Zero)
            {
                handle.Dispose();
                throw new InvalidOperationException("librdkafka created no mock cluster for test.mock.num.brokers.");
            }

            return handle;
        }
        finally
        {
            if (conf != IntPtr.Zero)
            {
                MockClusterNative.rd_kafka_conf_destroy(conf);
            }
        }
    }

    /// <summary>Keeps the cluster alive until the returned lease is disposed; throws <see cref="ObjectDisposedException"/>
    /// once the handle is closed.</summary>
    internal Lease Acquire()
    {
        var added = false;
        DangerousAddRef(ref added);
        return new Lease(this);
    }

    protected override bool ReleaseHandle()
    {
        MockClusterNative.rd_kafka_destroy(handle);
        return true;
    }

    private static void Set(IntPtr conf, string name, string value, byte[] errstr)
    {
        if (MockClusterNative.rd_kafka_conf_set(conf, name, value, errstr, (nuint)errstr.Length) != MockClusterNative.ConfOk)
        {
            throw new InvalidOperationException($"rd_kafka_conf_set({name}) failed: {ErrorText(errstr)}");
        }
    }

    private static string ErrorText(byte[] errstr)
    {
        var end = Array.IndexOf(errstr, (byte)0);
        return System.Text.Encoding.UTF8.GetString(errstr, 0, end < 0 ? errstr.Length : end);
    }

    /// <summary>A reference on the handle; dispose exactly once.</summary>
    internal readonly struct Lease(MockClusterHandle owner) : IDisposable
    {
        public IntPtr MockCluster => owner.MockCluster;

        public void Dispose() => owner.DangerousRelease();
    }
}
