using System.Diagnostics;
using Confluent.Kafka;

namespace PrimeBroker.Streams.Bench;

/// <summary>
/// Contender (a): the baseline a hand-written exactly-once service would be. A read_committed consumer in a group, tuned
/// like the engine's consumer (FetchMaxBytes 50 MB, MaxPartitionFetchBytes 10 MB, QueuedMinMessages 100,000) so that the
/// baseline fetches no worse than the engine does (<c>--raw-tuning 0</c> runs it with librdkafka's defaults; see
/// bench/README.md), a transactional idempotent producer (linger 5 ms); each record is produced to the output with its
/// key, value and timestamp; every commit interval SendOffsetsToTransaction + CommitTransaction + BeginTransaction. No
/// state, no changelog.
/// </summary>
internal static class RawCopyLoop
{
    public static RunResult Run(string bootstrap, string input, string output, int partitions, string groupId, TimeSpan commitInterval, long expected, RunProbe probe,
        int? fetchWaitMaxMs = null, Action? onAssigned = null, bool tuned = true)
    {
        var consumerConfig = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchMaxBytes = tuned ? 50 * 1024 * 1024 : null,
            MaxPartitionFetchBytes = tuned ? 10 * 1024 * 1024 : null,
            QueuedMinMessages = tuned ? 100_000 : null,
            FetchWaitMaxMs = fetchWaitMaxMs,
        };
        var producerConfig = Workload.ProducerConfig(bootstrap);
        producerConfig.TransactionalId = groupId + "-tx";
        using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig)
            .SetPartitionsAssignedHandler((_, _) => onAssigned?.Invoke())
            .Build();
        using var producer = new ProducerBuilder<byte[], byte[]>(producerConfig).Build();
        var timeout = TimeSpan.FromSeconds(30);
        producer.InitTransactions(timeout);
        producer.BeginTransaction();
        consumer.Subscribe(input);

        var offsets = new Dictionary<TopicPartition, TopicPartitionOffset>();
        var intervalMs = (long)commitInterval.TotalMilliseconds;
        var lastCommit = Environment.TickCount64;
        long count = 0;
        long uncommitted = 0;
        var deadline = Environment.TickCount64 + 120_000;
        while (probe.EndTicks == 0)
        {
            var remaining = intervalMs - (Environment.TickCount64 - lastCommit);
            var result = consumer.Consume(TimeSpan.FromMilliseconds(Math.Clamp(remaining, 0, 100)));
            if (result is not null)
            {
                var message = result.Message;
                probe.OnRecord(message.Timestamp.UnixTimestampMs);
                ProduceWithRetry(producer, output, new Message<byte[], byte[]> { Key = message.Key, Value = message.Value, Timestamp = message.Timestamp });
                offsets[result.TopicPartition] = new TopicPartitionOffset(result.TopicPartition, result.Offset.Value + 1);
                count++;
                uncommitted++;
            }

            var now = Environment.TickCount64;
            if (now - lastCommit >= intervalMs)
            {
                if (uncommitted > 0)
                {
                    var started = Stopwatch.GetTimestamp();
                    producer.SendOffsetsToTransaction(offsets.Values.ToList(), consumer.ConsumerGroupMetadata, timeout);
                    producer.CommitTransaction(timeout);
                    producer.BeginTransaction();
                    probe.OnCommitted(Stopwatch.GetElapsedTime(started).TotalMilliseconds, count >= expected);
                    uncommitted = 0;
                }

                lastCommit = now;
            }

            if (now > deadline)
            {
                throw new TimeoutException($"raw loop: {count} of {expected} records after 120 s.");
            }
        }

        producer.AbortTransaction(timeout); // the empty transaction begun after the last commit
        consumer.Close();
        var (outHigh, _) = Workload.Watermarks(bootstrap, output, partitions);
        var (inHigh, inLow) = Workload.Watermarks(bootstrap, input, partitions);
        var ok = count == expected && outHigh >= expected && inLow == 0 && inHigh == expected;
        return new RunResult("a raw EOS copy loop", count, probe.Elapsed, probe.Commits, probe.MeanCommitMs, probe.P99CommitMs, ok,
            $"consumed {count}/{expected}, output end offsets sum {outHigh}, input low watermarks min {inLow}, input end offsets sum {inHigh}")
        {
            Latency = probe.LatencySummary,
        };
    }

    private static void ProduceWithRetry(IProducer<byte[], byte[]> producer, string topic, Message<byte[], byte[]> message)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message);
                return;
            }
            catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }
}
