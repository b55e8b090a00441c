using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;

namespace PrimeBroker.Streams.Engine.Tests.State.Internal;

public sealed class StoreCheckpointTests
{
    private static readonly StoreCheckpoint s_sample = new(7, new Dictionary<TopicPartition, long>
    {
        [new TopicPartition("orders", 0)] = 100,
        [new TopicPartition("orders", 11)] = long.MaxValue,
        [new TopicPartition("app-by-account-repartition", 3)] = 0,
        [new TopicPartition("prix-été", 2)] = 42,
    }, Attempt: -5);

    [Fact]
    public void EncodeDecodeRoundTripsSeveralTopicsAndPartitions()
    {
        var decoded = StoreCheckpoint.Decode(s_sample.Encode());

        AssertSame(s_sample, decoded);
    }

    [Fact]
    public void EmptyCheckpointRoundTrips()
    {
        var decoded = StoreCheckpoint.Decode(StoreCheckpoint.Empty.Encode());

        AssertSame(StoreCheckpoint.Empty, decoded);
        Assert.Equal(25, StoreCheckpoint.Empty.Encode().Length);
    }

    [Fact]
    public void EncodingIsIndependentOfDictionaryOrder()
    {
        var reversed = s_sample with { InputOffsets = s_sample.InputOffsets.Reverse().ToDictionary(e => e.Key, e => e.Value) };

        Assert.Equal(s_sample.Encode(), reversed.Encode());
    }

    [Fact]
    public void EncodingIsBigEndianWithVersionOne()
    {
        var bytes = new StoreCheckpoint(1, new Dictionary<TopicPartition, long> { [new TopicPartition("t", 2)] = 3 }, Attempt: 4).Encode();

        Assert.Equal("01" + "0000000000000001" + "0000000000000004" + "00000001" + "0001" + "74" + "00000002" + "0000000000000003" + "00000000", Convert.ToHexString(bytes));
    }

    [Fact]
    public void UpstreamPositionsRoundTripAfterTheInputOffsets()
    {
        var checkpoint = s_sample with
        {
            Upstream = new Dictionary<TopicPartition, UpstreamPosition>
            {
                [new TopicPartition("trades", 4)] = new(1234, 2),
                [new TopicPartition("trades", 0)] = new(long.MaxValue, int.MaxValue),
            },
        };

        var decoded = StoreCheckpoint.Decode(checkpoint.Encode());

        Assert.Equal(checkpoint.Upstream.OrderBy(e => e.Key.Partition.Value), decoded.Upstream.OrderBy(e => e.Key.Partition.Value));
    }

    [Fact]
    public void BadVersionByteThrowsInvalidData()
    {
        var bytes = s_sample.Encode();
        bytes[0] = 2;

        var ex = Assert.Throws<InvalidDataException>(() => StoreCheckpoint.Decode(bytes));
        Assert.Contains("version byte 2", ex.Message);
    }

    [Fact]
    public void ShortInputThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => StoreCheckpoint.Decode([]));
        Assert.Throws<InvalidDataException>(() => StoreCheckpoint.Decode(s_sample.Encode().AsSpan(0, 20)));
    }

    [Fact]
    public void SameCommitComparesSequenceAndAttempt()
    {
        Assert.True(s_sample.SameCommit(s_sample with { InputOffsets = new Dictionary<TopicPartition, long>() }));
        Assert.False(s_sample.SameCommit(s_sample with { Attempt = 6 }));
        Assert.False(s_sample.SameCommit(s_sample with { CommitSequence = 8 }));
    }

    [Fact]
    public void LocalCheckpointRoundTripsWithChangelogPosition()
    {
        var local = new LocalCheckpoint(s_sample, 123_456_789_012);

        var decoded = LocalCheckpoint.Decode(local.Encode());

        Assert.Equal(123_456_789_012, decoded.ChangelogNextOffset);
        AssertSame(s_sample, decoded.Checkpoint);
    }

    private static void AssertSame(StoreCheckpoint expected, StoreCheckpoint actual)
    {
        Assert.Equal(expected.CommitSequence, actual.CommitSequence);
        Assert.Equal(expected.Attempt, actual.Attempt);
        Assert.Equal(
            expected.InputOffsets.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition.Value),
            actual.InputOffsets.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition.Value));
    }
}
