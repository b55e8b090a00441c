using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Fakes;

/// <summary>
/// A stream thread's clients over an <see cref="InMemoryCluster"/>: the group consumer the test scripts
/// (<see cref="InMemoryConsumer"/>), the test driver's changelog reader and its transactional producer (which stores the
/// transaction's offsets as the group's, as a real cluster does). <paramref name="changelogReader"/> may wrap the reader
/// (a test's throttled reads).
/// </summary>
internal sealed class InMemoryKafkaClients(StreamsConfig config, InMemoryCluster cluster, InMemoryConsumer consumer,
    Func<IChangelogReader, IChangelogReader>? changelogReader = null)
    : KafkaClients(config, NullLoggerFactory.Instance)
{
    public override IConsumer<byte[], byte[]> StreamConsumer(string threadName, GroupRebalancing rebalancing, string? groupInstanceId,
        Func<List<TopicPartition>, IEnumerable<TopicPartitionOffset>> onAssigned, Action<List<TopicPartitionOffset>> onRevoked,
        Action<List<TopicPartitionOffset>> onLost)
    {
        consumer.Attach(rebalancing.Incremental, onAssigned, onRevoked, onLost);
        return consumer;
    }

    public override IChangelogReader ChangelogReader(string threadName) =>
        changelogReader is null ? new InMemoryChangelogReader(cluster) : changelogReader(new InMemoryChangelogReader(cluster));

    public override IProducer<byte[], byte[]> StreamProducer(string threadName, string transactionalId) =>
        new InMemoryProducer(cluster, transactionalId, storeGroupOffsets: true);
}
