using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>The repeat filter skips replays of an upstream attempt and nothing else.</summary>
public sealed class UpstreamRepeatFilterTests
{
    private const string Repartition = "app-by-region-repartition";

    [Fact]
    public void AReplayOfAnUpstreamAttemptIsSkipped()
    {
        var filter = new UpstreamRepeatFilter([Repartition]);
        // An upstream attempt that started at input offset 10 sent outputs for 10..12, then died before its commit;
        // the next attempt starts at 10 again and sends the same origins.
        Assert.False(filter.IsRepeat(Record(10, attemptStart: 10)));
        Assert.False(filter.IsRepeat(Record(11, attemptStart: 10)));
        Assert.False(filter.IsRepeat(Record(12, attemptStart: 10)));

        Assert.True(filter.IsRepeat(Record(10, attemptStart: 10)));
        Assert.True(filter.IsRepeat(Record(11, attemptStart: 10)));
        Assert.True(filter.IsRepeat(Record(12, attemptStart: 10)));
        Assert.False(filter.IsRepeat(Record(13, attemptStart: 10)));
    }

    [Fact]
    public void RecordsAfterALegitimateUpstreamRewindAreApplied()
    {
        var filter = new UpstreamRepeatFilter([Repartition]);
        for (var offset = 0; offset < 100; offset++)
        {
            Assert.False(filter.IsRepeat(Record(offset, attemptStart: offset / 10 * 10)));
        }

        // The upstream input topic was recreated: its task, committed at 100, resets to the new topic's start (a reset
        // policy) and sends origins 0, 1, 2... again. They are new records, not repeats.
        Assert.False(filter.IsRepeat(Record(0, attemptStart: 100)));
        Assert.False(filter.IsRepeat(Record(1, attemptStart: 100)));
        // After the upstream commits at 2, the next attempt continues past what was applied: still applied, once.
        Assert.False(filter.IsRepeat(Record(2, attemptStart: 2)));
        Assert.True(filter.IsRepeat(Record(2, attemptStart: 2)));
    }

    [Fact]
    public void RecordsWithoutAnAttemptStartKeepTheOldRule()
    {
        var filter = new UpstreamRepeatFilter([Repartition]);
        Assert.False(filter.IsRepeat(Record(5, attemptStart: null)));
        Assert.True(filter.IsRepeat(Record(5, attemptStart: null)));
    }

    private static ConsumeResult<byte[], byte[]> Record(long upstreamOffset, long? attemptStart) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(Repartition, 0, 0),
        Message = new Message<byte[], byte[]>
        {
            Key = [1],
            Value = [2],
            Headers = OutputOrigin.Stamp(null, OutputOrigin.OfRecord(new RecordMetadata("trades", 3, upstreamOffset), 0), attemptStart),
        },
    };
}
