using System.Diagnostics;
using Confluent.Kafka;

namespace PrimeBroker.Streams.Bench;

/// <summary>Produces at a fixed rate, stamping each record's CreateTime with the wall clock at the produce call.</summary>
internal static class PacedGenerator
{
    public static long Run(string bootstrap, string topic, Workload workload, int ratePerSecond, TimeSpan duration)
    {
        var total = (long)(ratePerSecond * duration.TotalSeconds);
        using var producer = new ProducerBuilder<byte[], byte[]>(Workload.ProducerConfig(bootstrap)).Build();
        var random = new Random(43);
        var started = Stopwatch.GetTimestamp();
        long produced = 0;
        while (produced < total)
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * ratePerSecond));
            while (produced < due)
            {
                var now = new Timestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), TimestampType.CreateTime);
                producer.Produce(topic, workload.Next(random, (int)produced, now));
                produced++;
            }

            Thread.Sleep(1);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        return produced;
    }
}
