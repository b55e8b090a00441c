using System.Text;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>
/// The restore reader on the embedded cluster: a read ends when the consumer's position reaches the end offset read
/// before it began, with no partition-EOF event, when that end is a commit's control record and the owner that wrote
/// the log is gone (nothing follows). The consumer here raises no EOF events at all, so a reader
/// that waited for one would run into its stall timeout and throw.
/// </summary>
public sealed class ChangelogReaderTests
{
    [Fact]
    public async Task ARestoreWhoseEndOffsetWasReadBeforeTheOwnerDiedStillEnds()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var topic = ClusterProbe.UniqueTopic("changelog");
        cluster.CreateTopic(topic, partitions: 1, replicationFactor: 3);

        // The owner commits one transaction of 5 records; its commit's control record is the log's last offset.
        using (var owner = TransactionalProducer(cluster.BootstrapServers, "owner-1"))
        {
            owner.BeginTransaction();
            for (var i = 0; i < 5; i++)
            {
                owner.Produce(new TopicPartition(topic, 0), new Message<byte[], byte[]> { Key = Bytes($"k{i}"), Value = Bytes($"v{i}") });
            }

            owner.CommitTransaction();
        }

        using var reader = new KafkaChangelogReader(RestoreConsumer(cluster.BootstrapServers), timeout: TimeSpan.FromSeconds(20));
        reader.Prefetch([(topic, 0)]);
        var start = reader.LogStartOffset(topic, 0);
        var end = reader.LogEndOffset(topic, 0);
        Assert.True(end >= 6, $"five records and a control record make the end at least 6, got {end}");

        // The owner is gone (it wrote nothing after its commit): no record follows the control record, so nothing but the
        // position can tell the reader it reached the end.
        var read = reader.Read(topic, 0, start, end).ToList();

        Assert.Equal(["k0", "k1", "k2", "k3", "k4"], read.Select(r => Encoding.UTF8.GetString(r.Key)));
        Assert.All(read, r => Assert.True(r.Offset < end));

        // The read before is over: a second read of the same range ends the same way (the reader was unassigned).
        Assert.Equal(5, reader.Read(topic, 0, start, end).Count());
    }

    [Fact]
    public async Task AReadOverOnlyTheOwnCommitsControlRecordEndsEmpty()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var topic = ClusterProbe.UniqueTopic("changelog");
        cluster.CreateTopic(topic, partitions: 1, replicationFactor: 3);
        using (var owner = TransactionalProducer(cluster.BootstrapServers, "owner-1"))
        {
            owner.BeginTransaction();
            owner.Produce(new TopicPartition(topic, 0), new Message<byte[], byte[]> { Key = Bytes("k"), Value = Bytes("v") });
            owner.CommitTransaction();
        }

        using var reader = new KafkaChangelogReader(RestoreConsumer(cluster.BootstrapServers), timeout: TimeSpan.FromSeconds(20));
        // One record at offset 0 and the commit's control record at offset 1: a store whose checkpoint says "next is 1"
        // sees the log end one past it; the resume check (TaskManager.IsCurrent) reads that one offset and finds nothing,
        // and the read ends on the position alone (no record, no EOF event).
        Assert.Equal(2, reader.LogEndOffset(topic, 0));
        Assert.Empty(reader.Read(topic, 0, 1, 2));
    }

    [Fact]
    public async Task ReadManyReadsEveryRangeInOneGoEndsOnPositionsAndStopsARangeAtTheMarkerAfterItsLimit()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var topic = ClusterProbe.UniqueTopic("changelog");
        cluster.CreateTopic(topic, partitions: 3, replicationFactor: 3);

        // Three transactions of 2 records to each of partitions 0 and 1 (each: 2 records, the engine's commit marker as
        // the third, the control record); partition 2 stays empty.
        using (var owner = TransactionalProducer(cluster.BootstrapServers, "owner-1"))
        {
            for (var t = 0; t < 3; t++)
            {
                owner.BeginTransaction();
                foreach (var partition in new[] { 0, 1 })
                {
                    for (var i = 0; i < 2; i++)
                    {
                        owner.Produce(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Key = Bytes($"p{partition}t{t}k{i}"), Value = Bytes("v") });
                    }

                    owner.Produce(new TopicPartition(topic, partition), new Message<byte[], byte[]>
                    {
                        Key = Bytes("marker"), Value = [], Headers = CommitMarkers.Headers,
                    });
                }

                owner.CommitTransaction();
            }
        }

        using var reader = new KafkaChangelogReader(RestoreConsumer(cluster.BootstrapServers), timeout: TimeSpan.FromSeconds(20), committedOnly: false);
        var end0 = reader.LogEndOffset(topic, 0);
        var end1 = reader.LogEndOffset(topic, 1);
        Assert.Equal(12, end0); // 3 x (2 records + marker + control record)
        var ranges = new[] { new ChangelogRange(topic, 0, 0, end0), new ChangelogRange(topic, 1, 4, end1), new ChangelogRange(topic, 2, 0, 0) };

        // No limit to speak of: every range to its end, the last ending on a control record (no record, no EOF event).
        var all = reader.ReadMany(ranges, long.MaxValue, TimeSpan.FromSeconds(20));
        Assert.True(all[(topic, 0)].Complete, "partition 0 was not read to its end");
        Assert.Equal(end0, all[(topic, 0)].ReadTo);
        Assert.Equal(9, all[(topic, 0)].Records.Count); // 6 records and 3 markers, no control record
        Assert.Equal(["p1t1k0", "p1t1k1", "marker", "p1t2k0", "p1t2k1", "marker"], all[(topic, 1)].Records.Select(r => Encoding.UTF8.GetString(r.Key)));
        Assert.True(all[(topic, 2)].Complete);
        Assert.Empty(all[(topic, 2)].Records);

        // A limit of one record: where uncommitted records show, a range stops at its second marker (a restore holds
        // the last complete transaction back, so one complete transaction needs two).
        var limited = reader.ReadMany(ranges, 1, TimeSpan.FromSeconds(20));
        Assert.False(limited[(topic, 0)].Complete);
        Assert.Equal(["p0t0k0", "p0t0k1", "marker", "p0t1k0", "p0t1k1", "marker"], limited[(topic, 0)].Records.Select(r => Encoding.UTF8.GetString(r.Key)));
        Assert.Equal(limited[(topic, 0)].Records[^1].Offset + 1, limited[(topic, 0)].ReadTo);
        // Partition 1's second marker is its last record: the range stops there, one offset before its control record;
        // the next read of 11..12 finds nothing and ends on the position.
        Assert.Equal(6, limited[(topic, 1)].Records.Count);
        Assert.Equal(11, limited[(topic, 1)].ReadTo);
        Assert.Empty(reader.ReadMany([new ChangelogRange(topic, 1, 11, end1)], 1, TimeSpan.FromSeconds(20))[(topic, 1)].Records);
    }

    /// <summary>
    /// ReadMany leaves its partitions assigned so librdkafka fetches them between reads (the catch-up's rounds): reads
    /// that each continue where the last stopped, some at their record limit, some at a log end that grew in between,
    /// together return exactly what one read of the whole log returns; a read that starts elsewhere is assigned anew and
    /// returns that range exactly; partitions no read asks for are unassigned; a single-partition Read and
    /// ReleaseAssignment leave nothing assigned.
    /// </summary>
    [Fact]
    public async Task ReadsThatContinueWhereTheLastStoppedReturnExactlyTheLogAndOthersAreAssignedAnew()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var topic = ClusterProbe.UniqueTopic("changelog");
        cluster.CreateTopic(topic, partitions: 2, replicationFactor: 3);
        using var owner = TransactionalProducer(cluster.BootstrapServers, "owner-1");
        void Commit(int from, int count)
        {
            for (var t = from; t < from + count; t++)
            {
                owner.BeginTransaction();
                foreach (var partition in new[] { 0, 1 })
                {
                    owner.Produce(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Key = Bytes($"p{partition}t{t}"), Value = Bytes("v") });
                    owner.Produce(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Key = Bytes("marker"), Value = [], Headers = CommitMarkers.Headers });
                }

                owner.CommitTransaction();
            }
        }

        Commit(0, 10);
        using var reader = new KafkaChangelogReader(RestoreConsumer(cluster.BootstrapServers), timeout: TimeSpan.FromSeconds(20), committedOnly: false);
        var got = new Dictionary<int, List<ChangelogRecord>> { [0] = [], [1] = [] };
        var from = new Dictionary<int, long> { [0] = 0, [1] = 0 };
        var end = reader.LogEndOffset(topic, 0);
        var reads = 0;
        while (from.Values.Any(f => f < end))
        {
            Assert.True(++reads < 100, "the continued reads did not reach the end");
            if (reads == 3)
            {
                // The log grows between two reads; the next reads go on to its new end.
                Commit(10, 5);
                end = reader.LogEndOffset(topic, 0);
            }

            var reading = from.Count(f => f.Value < end);
            var batches = reader.ReadMany(new[] { 0, 1 }.Select(p => new ChangelogRange(topic, p, from[p], end)).ToList(), 1, TimeSpan.FromSeconds(20));
            Assert.Equal(reading, reader.KeptAssigned.Count);
            foreach (var p in new[] { 0, 1 })
            {
                got[p].AddRange(batches[(topic, p)].Records);
                from[p] = batches[(topic, p)].ReadTo;
            }
        }

        Assert.Equal(end, reader.LogEndOffset(topic, 1));
        foreach (var p in new[] { 0, 1 })
        {
            // 15 transactions of a record and a marker (their control records are never returned), in offset order.
            Assert.Equal(Enumerable.Range(0, 15).SelectMany(t => new[] { $"p{p}t{t}", "marker" }), got[p].Select(r => Encoding.UTF8.GetString(r.Key)));
            Assert.Equal(Enumerable.Range(0, 15).SelectMany(t => new[] { 3L * t, 3L * t + 1 }), got[p].Select(r => r.Offset));
        }

        // Not where the last read stopped: assigned anew from the range's start; partition 1 is no longer assigned.
        var again = reader.ReadMany([new ChangelogRange(topic, 0, 3, 9)], long.MaxValue, TimeSpan.FromSeconds(20));
        Assert.Equal(["p0t1", "marker", "p0t2", "marker"], again[(topic, 0)].Records.Select(r => Encoding.UTF8.GetString(r.Key)));
        Assert.Equal([new TopicPartition(topic, 0)], reader.KeptAssigned);

        // A single-partition read replaces the assignment; afterwards nothing is kept.
        Assert.Equal(["p1t0", "marker"], reader.Read(topic, 1, 0, 3).Select(r => Encoding.UTF8.GetString(r.Key)));
        Assert.Empty(reader.KeptAssigned);
        reader.ReadMany([new ChangelogRange(topic, 1, 0, 3)], long.MaxValue, TimeSpan.FromSeconds(20));
        Assert.NotEmpty(reader.KeptAssigned);
        reader.ReleaseAssignment();
        Assert.Empty(reader.KeptAssigned);
    }

    private static IProducer<byte[], byte[]> TransactionalProducer(string bootstrap, string id)
    {
        var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            TransactionalId = id + "-" + Guid.NewGuid().ToString("N")[..6],
            EnableIdempotence = true,
        }).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        return producer;
    }

    /// <summary>The engine's restore settings, but no EOF events and librdkafka's default fetch wait.</summary>
    private static IConsumer<byte[], byte[]> RestoreConsumer(string bootstrap) =>
        new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "restore-" + Guid.NewGuid().ToString("N")[..6],
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = false,
        }).Build();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
