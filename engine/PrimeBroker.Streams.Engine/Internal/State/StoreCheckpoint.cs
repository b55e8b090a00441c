using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// What a committed transaction proves about a task: the commit sequence number and the next input offset of every
/// source partition of the task. It travels twice: as the value of the commit marker at the end of each transaction's
/// changelog records, and (with the changelog position) in the same atomic write batch as the store data.
/// </summary>
/// <remarks>
/// Wire format, big-endian: byte 1 (version); int64 commit sequence; int64 attempt id (random per commit attempt, so two
/// attempts at the same sequence, one aborted, are told apart); int32 entry count; per entry: int16 topic length,
/// topic UTF-8 bytes, int32 partition, int64 next offset; then int32 upstream count; per upstream entry: int16 topic
/// length, topic UTF-8 bytes, int32 partition, int64 offset, int32 output index (see <see cref="Upstream"/>).
/// </remarks>
internal sealed record StoreCheckpoint(long CommitSequence, IReadOnlyDictionary<TopicPartition, long> InputOffsets, long Attempt = 0)
{
    private const byte Version = 1;
    private static readonly IReadOnlyDictionary<TopicPartition, UpstreamPosition> s_none = new Dictionary<TopicPartition, UpstreamPosition>();

    public static StoreCheckpoint Empty { get; } = new(0, new Dictionary<TopicPartition, long>());

    /// <summary>For tasks that read repartition topics: per upstream source partition, the origin of the last
    /// repartition record applied. Records at or below it are repeats of an upstream attempt that never committed.</summary>
    public IReadOnlyDictionary<TopicPartition, UpstreamPosition> Upstream { get; init; } = s_none;

    /// <summary>Whether both describe the same commit attempt.</summary>
    public bool SameCommit(StoreCheckpoint other) => CommitSequence == other.CommitSequence && Attempt == other.Attempt;

    public byte[] Encode()
    {
        var size = 1 + 8 + 8 + 4 + 4;
        foreach (var tp in InputOffsets.Keys)
        {
            size += 2 + Encoding.UTF8.GetByteCount(tp.Topic) + 4 + 8;
        }

        foreach (var tp in Upstream.Keys)
        {
            size += 2 + Encoding.UTF8.GetByteCount(tp.Topic) + 4 + 8 + 4;
        }

        var buffer = new byte[size];
        var span = buffer.AsSpan();
        span[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(span[1..], CommitSequence);
        BinaryPrimitives.WriteInt64BigEndian(span[9..], Attempt);
        BinaryPrimitives.WriteInt32BigEndian(span[17..], InputOffsets.Count);
        var pos = 21;
        foreach (var (tp, offset) in InputOffsets.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition.Value))
        {
            var len = Encoding.UTF8.GetBytes(tp.Topic, span[(pos + 2)..]);
            BinaryPrimitives.WriteInt16BigEndian(span[pos..], (short)len);
            pos += 2 + len;
            BinaryPrimitives.WriteInt32BigEndian(span[pos..], tp.Partition.Value);
            BinaryPrimitives.WriteInt64BigEndian(span[(pos + 4)..], offset);
            pos += 12;
        }

        BinaryPrimitives.WriteInt32BigEndian(span[pos..], Upstream.Count);
        pos += 4;
        foreach (var (tp, position) in Upstream.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition.Value))
        {
            var len = Encoding.UTF8.GetBytes(tp.Topic, span[(pos + 2)..]);
            BinaryPrimitives.WriteInt16BigEndian(span[pos..], (short)len);
            pos += 2 + len;
            BinaryPrimitives.WriteInt32BigEndian(span[pos..], tp.Partition.Value);
            BinaryPrimitives.WriteInt64BigEndian(span[(pos + 4)..], position.Offset);
            BinaryPrimitives.WriteInt32BigEndian(span[(pos + 12)..], position.Index);
            pos += 16;
        }

        return buffer;
    }

    public static StoreCheckpoint Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 21 || data[0] != Version)
        {
            throw new InvalidDataException($"Commit marker of {data.Length} bytes has an unknown layout (version byte {(data.Length > 0 ? data[0] : -1)}).");
        }

        var seq = BinaryPrimitives.ReadInt64BigEndian(data[1..]);
        var attempt = BinaryPrimitives.ReadInt64BigEndian(data[9..]);
        var count = BinaryPrimitives.ReadInt32BigEndian(data[17..]);
        var offsets = new Dictionary<TopicPartition, long>(count);
        var pos = 21;
        for (var i = 0; i < count; i++)
        {
            var len = BinaryPrimitives.ReadInt16BigEndian(data[pos..]);
            var topic = Encoding.UTF8.GetString(data.Slice(pos + 2, len));
            pos += 2 + len;
            var partition = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
            var offset = BinaryPrimitives.ReadInt64BigEndian(data[(pos + 4)..]);
            pos += 12;
            offsets[new TopicPartition(topic, partition)] = offset;
        }

        var upstreamCount = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
        pos += 4;
        var upstream = new Dictionary<TopicPartition, UpstreamPosition>(upstreamCount);
        for (var i = 0; i < upstreamCount; i++)
        {
            var len = BinaryPrimitives.ReadInt16BigEndian(data[pos..]);
            var topic = Encoding.UTF8.GetString(data.Slice(pos + 2, len));
            pos += 2 + len;
            var partition = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
            upstream[new TopicPartition(topic, partition)] = new UpstreamPosition(BinaryPrimitives.ReadInt64BigEndian(data[(pos + 4)..]), BinaryPrimitives.ReadInt32BigEndian(data[(pos + 12)..]));
            pos += 16;
        }

        return new StoreCheckpoint(seq, offsets, attempt) { Upstream = upstream };
    }
}

/// <summary>The checkpoint a local store holds, plus how far into its changelog the local data reaches.</summary>
/// <param name="Checkpoint">The last commit applied locally.</param>
/// <param name="ChangelogNextOffset">The changelog offset after that commit's marker: where a restore of the tail starts.</param>
internal sealed record LocalCheckpoint(StoreCheckpoint Checkpoint, long ChangelogNextOffset)
{
    public byte[] Encode()
    {
        var inner = Checkpoint.Encode();
        var buffer = new byte[8 + inner.Length];
        BinaryPrimitives.WriteInt64BigEndian(buffer, ChangelogNextOffset);
        inner.CopyTo(buffer, 8);
        return buffer;
    }

    public static LocalCheckpoint Decode(ReadOnlySpan<byte> data) =>
        new(StoreCheckpoint.Decode(data[8..]), BinaryPrimitives.ReadInt64BigEndian(data));
}

/// <summary>The origin of a repartition record: the upstream input offset and which of that input's outputs it was.</summary>
internal readonly record struct UpstreamPosition(long Offset, int Index) : IComparable<UpstreamPosition>
{
    public int CompareTo(UpstreamPosition other) => Offset != other.Offset ? Offset.CompareTo(other.Offset) : Index.CompareTo(other.Index);
}
