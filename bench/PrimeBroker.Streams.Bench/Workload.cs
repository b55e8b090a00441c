using System.Text;
using Confluent.Kafka;

namespace PrimeBroker.Streams.Bench;

/// <summary>
/// The input both contenders read: keys <c>ACC-00000</c>.. drawn from a seeded random sequence, values of printable
/// bytes. The same seed gives byte-identical backlogs, so each contender drains the same content.
/// </summary>
internal sealed class Workload
{
    /// <summary>Approximate bytes one record takes in a mock partition (record header, varints, batch share).</summary>
    private const int RecordOverheadBytes = 24;
    private const int MockPartitionCapBytes = 5 * 1024 * 1024;

    private readonly BenchOptions _options;
    private readonly byte[][] _keys;
    private readonly byte[][] _values;

    public Workload(BenchOptions options)
    {
        _options = options;
        _keys = Enumerable.Range(0, options.Keys).Select(k => Encoding.UTF8.GetBytes($"ACC-{k:D5}")).ToArray();
        var random = new Random(7);
        // A pool of distinct values is enough: the store and the brokers only copy them.
        _values = Enumerable.Range(0, 4096).Select(_ =>
        {
            var v = new byte[options.ValueBytes];
            for (var i = 0; i < v.Length; i++)
            {
                v[i] = (byte)random.Next(33, 127);
            }

            return v;
        }).ToArray();
    }

    /// <summary>Estimated bytes per partition of a backlog, to keep it well under the mock's 5 MiB cap.</summary>
    public long BytesPerPartition => (long)_options.Records / _options.Partitions * (_keys[0].Length + _options.ValueBytes + RecordOverheadBytes);

    public static long MockCapBytes => MockPartitionCapBytes;

    public static ProducerConfig ProducerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        EnableIdempotence = true,
        LingerMs = 5,
        Partitioner = Partitioner.Murmur2Random,
        QueueBufferingMaxMessages = 1_000_000,
    };

    /// <summary>Produces the backlog (the same sequence every call; <paramref name="count"/> records, default
    /// <c>--records</c>) and waits until all is acknowledged.</summary>
    public void Preload(string bootstrap, string topic, int? count = null)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(ProducerConfig(bootstrap)).Build();
        var random = new Random(42);
        long failed = 0;
        Action<DeliveryReport<byte[], byte[]>> onDelivery = r =>
        {
            if (r.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
        };
        for (var i = 0; i < (count ?? _options.Records); i++)
        {
            producer.Produce(topic, Next(random, i, Timestamp.Default), onDelivery);
        }

        if (producer.Flush(TimeSpan.FromSeconds(60)) > 0 || Interlocked.Read(ref failed) > 0)
        {
            throw new InvalidOperationException($"preloading {topic} failed ({failed} delivery errors).");
        }
    }

    /// <summary>The i-th record of a sequence; <paramref name="timestamp"/> Default lets librdkafka stamp it.</summary>
    public Message<byte[], byte[]> Next(Random random, int i, Timestamp timestamp) =>
        new() { Key = _keys[random.Next(_keys.Length)], Value = _values[i % _values.Length], Timestamp = timestamp };

    /// <summary>Sum of high watermarks and the smallest low watermark over a topic's partitions.</summary>
    public static (long High, long MinLow) Watermarks(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-watermarks" }).Build();
        long high = 0;
        var minLow = long.MaxValue;
        for (var p = 0; p < partitions; p++)
        {
            var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
            high += w.High.Value;
            minLow = Math.Min(minLow, w.Low.Value);
        }

        return (high, minLow);
    }
}
