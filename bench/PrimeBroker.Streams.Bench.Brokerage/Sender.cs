using System.Diagnostics;
using Confluent.Kafka;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// Produces a chunk's pre-serialized sends to trade-events at a paced rate, on the calling thread, recording the
/// Stopwatch time of each produce call (where trade-to-position latency starts). One idempotent producer with linger
/// 5 ms (or as given), explicit partitions (the chunk's murmur2 choice), so per-partition order is the send order.
/// </summary>
internal sealed class Sender : IDisposable
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivery;
    private long _sent;
    private long _failed;
    private long _pausedTicks;

    /// <param name="bootstrap">The cluster.</param>
    /// <param name="lingerMs">linger.ms of the producer; default 5.</param>
    public Sender(string bootstrap, int lingerMs = 5)
    {
        var config = ProducerConfig(bootstrap);
        config.LingerMs = lingerMs;
        _producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        _onDelivery = r =>
        {
            if (r.Error.IsError)
            {
                Interlocked.Increment(ref _failed);
            }
        };
    }

    /// <summary>Sends handed to the client so far (any thread may read).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Time the sender spent paused by its hold condition.</summary>
    public TimeSpan Paused => TimeSpan.FromSeconds(Interlocked.Read(ref _pausedTicks) / (double)Stopwatch.Frequency);

    /// <summary>Delivery reports with an error so far.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public static ProducerConfig ProducerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        EnableIdempotence = true,
        LingerMs = 5,
        Partitioner = Partitioner.Murmur2Random,
        QueueBufferingMaxMessages = 2_000_000,
        QueueBufferingMaxKbytes = 1_048_576,
    };

    /// <summary>Sends every send of <paramref name="chunk"/> at <paramref name="ratePerSecond"/>, stamping
    /// <paramref name="produceTicks"/>[i] (Stopwatch ticks) for send i. Returns when all were handed to the client.</summary>
    /// <param name="hold">Asked every millisecond; while it answers true the sender pauses and the schedule shifts by the
    /// pause (backpressure, e.g. to keep the backlog under the embedded cluster's cap). Null never pauses.</param>
    /// <param name="stop">Set: stop after the send in progress (<see cref="Sent"/> tells how many went out).</param>
    /// <param name="ackTicks">If given, [i] is set (Stopwatch ticks) when send i's delivery report arrived: the cluster
    /// has appended it. Costs a callback allocation per send (the latency phase's breakdown).</param>
    public void Send(TradeChunk chunk, double ratePerSecond, long[]? produceTicks, string topic = PrimeBrokerTopics.TradeEvents, Func<bool>? hold = null,
        CancellationToken stop = default, long[]? ackTicks = null)
    {
        var started = Stopwatch.GetTimestamp();
        var total = chunk.Count;
        var sent = 0;
        while (sent < total && !stop.IsCancellationRequested)
        {
            if (hold is not null && hold())
            {
                var pausedAt = Stopwatch.GetTimestamp();
                while (hold())
                {
                    Thread.Sleep(5);
                }

                var paused = Stopwatch.GetTimestamp() - pausedAt;
                started += paused;
                Interlocked.Add(ref _pausedTicks, paused);
            }

            var due = (int)Math.Min(total, Stopwatch.GetElapsedTime(started).TotalSeconds * ratePerSecond + 1);
            while (sent < due)
            {
                if (hold is not null && sent % 256 == 0 && hold())
                {
                    break; // a burst after a long descheduling must not run past the hold condition
                }

                var now = Stopwatch.GetTimestamp();
                var message = new Message<byte[], byte[]>
                {
                    Key = chunk.Flow.AccountKeys[chunk.Account[sent]],
                    Value = chunk.Values[sent],
                    Timestamp = new Timestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), TimestampType.CreateTime),
                };
                Produce(new TopicPartition(topic, chunk.Partition[sent]), message, ackTicks is null ? _onDelivery : AckInto(ackTicks, sent));
                if (produceTicks is not null)
                {
                    produceTicks[sent] = now;
                }

                sent++;
                Interlocked.Increment(ref _sent);
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>Waits until every send is acknowledged; throws if any failed.</summary>
    public void Flush()
    {
        if (_producer.Flush(TimeSpan.FromSeconds(60)) > 0 || Failed > 0)
        {
            throw new InvalidOperationException($"producing trade-events failed: {Failed} delivery errors.");
        }
    }

    private Action<DeliveryReport<byte[], byte[]>> AckInto(long[] ackTicks, int index) => r =>
    {
        ackTicks[index] = Stopwatch.GetTimestamp();
        _onDelivery(r);
    };

    private void Produce(TopicPartition partition, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>> onDelivery)
    {
        while (true)
        {
            try
            {
                _producer.Produce(partition, message, onDelivery);
                return;
            }
            catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                _producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    public void Dispose() => _producer.Dispose();
}
