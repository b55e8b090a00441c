using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;

namespace PrimeBroker.Streams.Engine.Tests.State.Internal;

public sealed class TransactionalBytesStoreTests
{
    private static readonly byte[] s_a = "a"u8.ToArray();
    private static readonly byte[] s_b = "b"u8.ToArray();
    private static readonly byte[] s_c = "c"u8.ToArray();

    private readonly InMemoryBytesStore _inner = new("s");
    private readonly TransactionalBytesStore _store;

    public TransactionalBytesStoreTests()
    {
        _inner.Apply([new(s_a, [1]), new(s_b, [2])], new LocalCheckpoint(StoreCheckpoint.Empty, 3));
        _store = new TransactionalBytesStore(_inner, "app-s-changelog", 0);
    }

    [Fact]
    public void ReadsSeeTheOverlayBeforeTheCommittedStore()
    {
        _store.Put(s_a, [10]);
        _store.Put(s_c, [30]);
        _store.Put(s_b, null);

        Assert.Equal([10], _store.Get(s_a));
        Assert.Equal([30], _store.Get(s_c));
        Assert.Null(_store.Get(s_b));
        Assert.Equal([1], _inner.Get(s_a));
        Assert.True(_store.IsDirty);
    }

    [Fact]
    public void RangeMergesOverlayWritesAndDeletesInKeyOrder()
    {
        _store.Put(s_b, null);
        _store.Put(s_c, [30]);
        _store.Put([0x00], [0]);
        _store.Put([0xFF], [0xFF]);

        Assert.Equal(["00", "61", "63", "FF"], _store.Range(null, null).Select(e => Convert.ToHexString(e.Key)));
        Assert.Equal([0x00, 1, 30, 0xFF], _store.Range(null, null).Select(e => e.Value[0]));
        Assert.Equal(["61", "63"], _store.Range(s_a, [0xFF]).Select(e => Convert.ToHexString(e.Key)));
        Assert.Equal([1], _store.Range(s_a, s_b).Single().Value);
    }

    [Fact]
    public void ChangelogWritesHoldTheLastValueOfEachKey()
    {
        _store.Put(s_a, [10]);
        _store.Put(s_a, [11]);
        _store.Put(s_b, null);

        var writes = _store.ChangelogWrites().ToDictionary(e => Convert.ToHexString(e.Key), e => e.Value);

        Assert.Equal(2, writes.Count);
        Assert.Equal([11], writes["61"]);
        Assert.Null(writes["62"]);
    }

    [Fact]
    public void ApplyCommittedWritesTheOverlayAndClearsIt()
    {
        _store.Put(s_a, [10]);
        _store.Put(s_b, null);

        _store.ApplyCommitted(new LocalCheckpoint(new StoreCheckpoint(1, new Dictionary<TopicPartition, long>(), 7), 9));

        Assert.False(_store.IsDirty);
        Assert.Equal([10], _inner.Get(s_a));
        Assert.Null(_inner.Get(s_b));
        Assert.Equal(9, _inner.Checkpoint!.ChangelogNextOffset);
        Assert.Empty(_store.ChangelogWrites());
    }

    [Fact]
    public void RollbackDiscardsTheOverlayAndRepairsItsKeysWithCommittedValues()
    {
        _store.Put(s_a, [10]);
        _store.Put(s_c, [30]);

        _store.Rollback();

        Assert.Equal([1], _store.Get(s_a));
        Assert.Null(_store.Get(s_c));
        Assert.True(_store.IsDirty, "repair keys must make the next commit happen");
        var writes = _store.ChangelogWrites().ToDictionary(e => Convert.ToHexString(e.Key), e => e.Value);
        Assert.Equal(2, writes.Count);
        Assert.Equal([1], writes["61"]);
        Assert.Null(writes["63"]);
    }

    [Fact]
    public void NewWriteOfARepairKeyIsLoggedOnceWithTheNewValue()
    {
        _store.Put(s_a, [10]);
        _store.Rollback();
        _store.Put(s_a, [20]);

        var writes = _store.ChangelogWrites().ToList();

        Assert.Single(writes);
        Assert.Equal([20], writes[0].Value);
    }

    [Fact]
    public void RepairKeysFromARestoreAreLoggedAndClearedByTheCommit()
    {
        _store.AddRepairKeys([s_b, s_c]);

        Assert.Equal(["62:02", "63:"], _store.ChangelogWrites().Select(e => $"{Convert.ToHexString(e.Key)}:{(e.Value is null ? "" : Convert.ToHexString(e.Value))}").Order());

        _store.ApplyCommitted(new LocalCheckpoint(StoreCheckpoint.Empty, 5));
        Assert.False(_store.IsDirty);
        Assert.Equal([2], _inner.Get(s_b));
    }
}
