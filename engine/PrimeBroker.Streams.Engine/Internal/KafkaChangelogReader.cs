using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// Reads changelog partitions for restores with a read_committed consumer that never joins the group. On a real cluster
/// read_committed stops at the last stable offset, so an abandoned transaction delays the restore until the broker
/// aborts it (<see cref="StreamsConfig.TransactionTimeout"/>); the restore rules make uncommitted records harmless where
/// the cluster shows them anyway.
/// </summary>
internal sealed class KafkaChangelogReader : IChangelogReader, IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly TimeSpan _timeout;

    public KafkaChangelogReader(IConsumer<byte[], byte[]> consumer, TimeSpan timeout)
    {
        _consumer = consumer;
        _timeout = timeout;
    }

    public long LogStartOffset(string topic, int partition) =>
        _consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), _timeout).Low.Value;

    public long EndOffset(string topic, int partition) =>
        _consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), _timeout).High.Value;

    public IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset)
    {
        var tp = new TopicPartition(topic, partition);
        var end = _consumer.QueryWatermarkOffsets(tp, _timeout).High.Value;
        if (fromOffset >= end)
        {
            yield break;
        }

        _consumer.Assign(new TopicPartitionOffset(tp, fromOffset));
        try
        {
            var deadline = DateTime.UtcNow + _timeout;
            while (true)
            {
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is null)
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException($"Restoring {tp} stalled before offset {end} (position {_consumer.Position(tp)}); " +
                            "an open transaction may block read_committed until the broker aborts it.");
                    }

                    continue;
                }

                deadline = DateTime.UtcNow + _timeout;
                if (result.IsPartitionEOF)
                {
                    if (result.Offset.Value >= end)
                    {
                        yield break;
                    }

                    continue;
                }

                yield return new ChangelogRecord(result.Offset.Value, result.Message.Key ?? [], result.Message.Value, CommitMarkers.IsMarker(result.Message.Headers));
                if (result.Offset.Value + 1 >= end)
                {
                    yield break;
                }
            }
        }
        finally
        {
            _consumer.Unassign();
        }
    }

    public void Dispose() => _consumer.Dispose();
}
