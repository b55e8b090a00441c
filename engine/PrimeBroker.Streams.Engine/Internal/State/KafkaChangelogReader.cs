using System.Diagnostics;
using Confluent.Kafka.Admin;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// Reads changelog partitions for restores with a read_committed consumer that never joins the group. On a real cluster
/// read_committed ends at the last stable offset (LSO): its watermark query answers the LSO, and records of aborted
/// transactions are never returned. The read_uncommitted end (the high watermark) comes from a ListOffsets request with
/// that isolation, through an admin client on the consumer's own connection.
/// </summary>
/// <remarks>Runs on the restoring thread only. <see cref="CommittedOnly"/> is what the caller declares about the
/// cluster: nothing in a fetch tells an Apache Kafka broker from librdkafka's mock, which answers LSO = high watermark
/// and returns aborted and open transactions' records to read_committed readers.</remarks>
internal sealed class KafkaChangelogReader : IChangelogReader, IDisposable
{
    private static readonly TimeSpan s_stablePollInterval = TimeSpan.FromMilliseconds(50);

    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly TimeSpan _timeout;
    private IAdminClient? _admin;

    /// <param name="consumer">A read_committed consumer outside the group; disposed with this reader.</param>
    /// <param name="timeout">Bound of each request, and of a read that makes no progress.</param>
    /// <param name="stableOffsetTimeout">How long a restore waits for the LSO to reach the log end (the transaction
    /// timeout: the broker aborts a transaction left open longer); null means <paramref name="timeout"/>.</param>
    /// <param name="committedOnly">True only on a cluster whose read_committed hides uncommitted records (every Apache
    /// Kafka broker); false keeps the restore buffering each transaction until its marker, correct on both.</param>
    public KafkaChangelogReader(IConsumer<byte[], byte[]> consumer, TimeSpan timeout, TimeSpan? stableOffsetTimeout = null, bool committedOnly = false)
    {
        _consumer = consumer;
        _timeout = timeout;
        StableOffsetTimeout = stableOffsetTimeout ?? timeout;
        CommittedOnly = committedOnly;
    }

    public bool CommittedOnly { get; }

    public TimeSpan StableOffsetTimeout { get; }

    public long LogStartOffset(string topic, int partition) =>
        _consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), _timeout).Low.Value;

    public long LogEndOffset(string topic, int partition)
    {
        _admin ??= new DependentAdminClientBuilder(_consumer.Handle).Build();
        var tp = new TopicPartition(topic, partition);
        var result = _admin.ListOffsetsAsync(
            [new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = OffsetSpec.Latest() }],
            new ListOffsetsOptions { IsolationLevel = IsolationLevel.ReadUncommitted, RequestTimeout = _timeout }).GetAwaiter().GetResult();
        var info = result.ResultInfos.Single(r => r.TopicPartitionOffsetError.TopicPartition == tp).TopicPartitionOffsetError;
        if (info.Error.IsError)
        {
            throw new KafkaException(info.Error);
        }

        return info.Offset.Value;
    }

    public long WaitForStableOffset(string topic, int partition, long offset)
    {
        var tp = new TopicPartition(topic, partition);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            // read_committed: the broker answers the last stable offset.
            var stable = _consumer.QueryWatermarkOffsets(tp, _timeout).High.Value;
            if (stable >= offset || waited.Elapsed >= StableOffsetTimeout)
            {
                return stable;
            }

            Thread.Sleep(s_stablePollInterval); // markers land within milliseconds; an open transaction takes up to the timeout
        }
    }

    public IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset, long toOffset)
    {
        if (fromOffset >= toOffset)
        {
            yield break;
        }

        var tp = new TopicPartition(topic, partition);
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
                        throw new TimeoutException($"Restoring {tp} stalled before offset {toOffset} (position {_consumer.Position(tp)}); " +
                            "an open transaction may block read_committed until the broker aborts it.");
                    }

                    continue;
                }

                deadline = DateTime.UtcNow + _timeout;
                if (result.IsPartitionEOF)
                {
                    // Transaction control records take offsets but are never returned: the end can be an EOF only.
                    if (result.Offset.Value >= toOffset)
                    {
                        yield break;
                    }

                    continue;
                }

                if (result.Offset.Value >= toOffset)
                {
                    yield break;
                }

                yield return new ChangelogRecord(result.Offset.Value, result.Message.Key ?? [], result.Message.Value, CommitMarkers.IsMarker(result.Message.Headers));
                if (result.Offset.Value + 1 >= toOffset)
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

    public void Dispose()
    {
        _admin?.Dispose();
        _consumer.Dispose();
    }
}
