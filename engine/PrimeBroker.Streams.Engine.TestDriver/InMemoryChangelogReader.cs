using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;


namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>Restores from the driver's logs with the cluster's isolation: committed records only, unless the cluster
/// emulates the embedded cluster, which shows every record. Waits for the last stable offset on simulated time.</summary>
internal sealed class InMemoryChangelogReader(InMemoryCluster cluster) : IChangelogReader
{
    public bool CommittedOnly => !cluster.UncommittedVisible;

    public TimeSpan StableOffsetTimeout => cluster.StableOffsetTimeout;

    public long LogStartOffset(string topic, int partition) => cluster.Topic(topic)[partition].LogStart;

    public long LogEndOffset(string topic, int partition) => cluster.Topic(topic)[partition].End;

    public long WaitForStableOffset(string topic, int partition, long offset) => cluster.WaitForStableOffset(topic, partition, offset);

    public IEnumerable<ChangelogRecord> Read(string topic, int partition, long fromOffset, long toOffset) =>
        cluster.Read(topic, partition, fromOffset)
            .TakeWhile(r => r.Offset < toOffset)
            .Select(r => new ChangelogRecord(r.Offset, r.Record.Key ?? [], r.Record.Value, CommitMarkers.IsMarker(r.Record.Headers)));
}
