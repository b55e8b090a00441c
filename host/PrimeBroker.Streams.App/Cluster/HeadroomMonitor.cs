using Confluent.Kafka;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>
/// How full the embedded cluster's changelog partitions are against the mock's per-partition cap (5 MiB, then the
/// oldest batches are dropped, and a store restored from a changelog without its head would be wrong: the engine
/// refuses such a restore). Reads every changelog topic of the application from the start and adds up an estimate of
/// the bytes each partition holds.
/// </summary>
/// <remarks>
/// <para>Estimate per record: key + value + header bytes + 80 bytes, as if each record were alone in its batch (61-byte
/// batch header plus record framing) — an upper bound of what the mock counts, so the warning comes early rather than
/// late. A partition whose log start offset is above 0 has already lost its head and counts as 100% or more.</para>
/// <para>Runs on its own thread with its own consumer; <see cref="Fill"/> is safe from any thread.</para>
/// </remarks>
internal sealed class HeadroomMonitor : IDisposable
{
    /// <summary>The mock's cap per partition (librdkafka <c>rdkafka_mock.c</c>: <c>max_size = 1024 * 1024 * 5</c>).</summary>
    internal const long CapBytes = 5L * 1024 * 1024;
    private const int RecordOverheadBytes = 80;

    private readonly KafkaClientSettings _clients;
    private readonly string _applicationId;
    private readonly Dictionary<TopicPartition, long> _bytes = new();
    private readonly HashSet<TopicPartition> _truncated = new();
    private readonly object _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    internal HeadroomMonitor(KafkaClientSettings clients, string applicationId)
    {
        _clients = clients;
        _applicationId = applicationId;
        _thread = new Thread(Run) { IsBackground = true, Name = "headroom-monitor" };
        _thread.Start();
    }

    /// <summary>The fullest changelog partition: its name and its estimated fill (0..1; 1 or more: head lost). Null
    /// before any changelog exists.</summary>
    internal (string Partition, double Fill)? Fill()
    {
        lock (_lock)
        {
            if (_bytes.Count == 0)
            {
                return null;
            }

            var fullest = _bytes.MaxBy(kv => _truncated.Contains(kv.Key) ? long.MaxValue : kv.Value);
            var fill = _truncated.Contains(fullest.Key) ? Math.Max(1.0, (double)fullest.Value / CapBytes) : (double)fullest.Value / CapBytes;
            return ($"{fullest.Key.Topic}[{fullest.Key.Partition.Value}]", fill);
        }
    }

    private void Run()
    {
        using var admin = new AdminClientBuilder(_clients.Admin()).LoggingTo(_clients.Log).Build();
        var config = _clients.Consumer();
        config.GroupId = $"headroom-{Guid.NewGuid():N}";
        config.EnableAutoCommit = false;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).LoggingTo(_clients.Log).Build();
        var assigned = new HashSet<TopicPartition>();
        var nextDiscovery = DateTime.MinValue;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (DateTime.UtcNow >= nextDiscovery)
                {
                    nextDiscovery = DateTime.UtcNow.AddSeconds(5);
                    Discover(admin, consumer, assigned);
                }

                if (assigned.Count == 0)
                {
                    _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                    continue;
                }

                var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (result?.Message is { } message)
                {
                    var size = (message.Key?.Length ?? 0) + (message.Value?.Length ?? 0) + RecordOverheadBytes
                        + (message.Headers?.Sum(h => h.Key.Length + (h.GetValueBytes()?.Length ?? 0)) ?? 0);
                    lock (_lock)
                    {
                        _bytes[result.TopicPartition] = _bytes.GetValueOrDefault(result.TopicPartition) + size;
                    }
                }
            }
            catch (KafkaException) when (!_stop.IsCancellationRequested)
            {
                _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }

        consumer.Close();
    }

    private void Discover(IAdminClient admin, IConsumer<byte[], byte[]> consumer, HashSet<TopicPartition> assigned)
    {
        var prefix = _applicationId + "-";
        var fresh = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics
            .Where(t => t.Topic.StartsWith(prefix, StringComparison.Ordinal) && t.Topic.EndsWith("-changelog", StringComparison.Ordinal) && !t.Error.IsError)
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .Where(tp => !assigned.Contains(tp))
            .ToList();
        foreach (var tp in fresh)
        {
            assigned.Add(tp);
            var low = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).Low.Value;
            lock (_lock)
            {
                _bytes.TryAdd(tp, 0);
                if (low > 0)
                {
                    _truncated.Add(tp);
                }
            }
        }

        if (fresh.Count > 0)
        {
            consumer.IncrementalAssign(fresh.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        }

        // A partition that loses its head while watched: the mock moves its log start.
        foreach (var tp in assigned)
        {
            if (!_truncated.Contains(tp) && consumer.GetWatermarkOffsets(tp).Low.Value > 0)
            {
                lock (_lock)
                {
                    _truncated.Add(tp);
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}

/// <summary>The demo's <see cref="HeadroomMonitor"/>, once its embedded cluster runs; null on a real cluster.</summary>
internal sealed class EmbeddedClusterHeadroom
{
    internal HeadroomMonitor? Monitor { get; set; }
}
