using System.Globalization;
using System.Text;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>
/// The header <c>pbs.origin</c> every output carries: <c>topic:partition:offset:n</c> of the input record that caused it
/// (n counts the outputs of that record), or <c>task:&lt;id&gt;:commit:&lt;seq&gt;:n</c> for punctuator output.
/// Reprocessing after a crash produces the same origins, so a reader that sees records of transactions that never
/// committed (the embedded cluster shows them) can recognise repeats.
/// </summary>
internal static class OutputOrigin
{
    public const string Header = "pbs.origin";

    /// <summary>Beside a record origin: the committed input position of the origin's source partition when the output
    /// was sent, i.e. where the upstream attempt that sent it started reading. A replay of that attempt starts there
    /// again, so an origin below it can only come from a rewind of the upstream input (a reset policy, a recreated
    /// topic), never from a replay.</summary>
    public const string AttemptStartHeader = "pbs.origin.start";

    /// <summary>The origin of output <paramref name="index"/> of input record <paramref name="source"/>.</summary>
    public static string OfRecord(RecordMetadata source, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{source.Topic}:{source.Partition}:{source.Offset}:{index}");

    /// <summary>The origin of output <paramref name="index"/> a punctuator sent in the task's commit <paramref name="sequence"/>.</summary>
    public static string OfPunctuation(TaskId task, long sequence, long index) =>
        string.Create(CultureInfo.InvariantCulture, $"task:{task}:commit:{sequence}:{index}");

    /// <summary>A copy of <paramref name="headers"/> with <paramref name="origin"/> as its only origin header, and
    /// <paramref name="attemptStart"/> (see <see cref="AttemptStartHeader"/>) when the output came from an input record.</summary>
    public static Headers Stamp(Headers? headers, string origin, long? attemptStart = null)
    {
        var stamped = new Headers();
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                if (header.Key is not (Header or AttemptStartHeader))
                {
                    stamped.Add(header.Key, header.GetValueBytes());
                }
            }
        }

        stamped.Add(Header, Encoding.UTF8.GetBytes(origin));
        if (attemptStart is { } start)
        {
            stamped.Add(AttemptStartHeader, Encoding.UTF8.GetBytes(start.ToString(CultureInfo.InvariantCulture)));
        }

        return stamped;
    }

    /// <summary><paramref name="headers"/> itself when it has no origin headers (null stays null), else a copy without them.</summary>
    public static Headers? WithoutOrigin(Headers? headers)
    {
        if (headers is null)
        {
            return null;
        }

        var found = false;
        for (var i = 0; i < headers.Count && !found; i++)
        {
            found = headers[i].Key is Header or AttemptStartHeader;
        }

        if (!found)
        {
            return headers;
        }

        var stripped = new Headers();
        foreach (var header in headers.Where(h => h.Key is not (Header or AttemptStartHeader)))
        {
            stripped.Add(header.Key, header.GetValueBytes());
        }

        return stripped;
    }

    /// <summary>The <see cref="AttemptStartHeader"/> of <paramref name="headers"/>, or -1 (an output of an older version,
    /// or of a punctuator).</summary>
    public static long AttemptStart(Headers? headers) =>
        headers is not null && headers.TryGetLastBytes(AttemptStartHeader, out var bytes)
        && long.TryParse(Encoding.UTF8.GetString(bytes), CultureInfo.InvariantCulture, out var start) ? start : -1;

    /// <summary>Reads a record origin (not a punctuator's) from <paramref name="headers"/>.</summary>
    public static bool TryParse(Headers? headers, out TopicPartition upstream, out UpstreamPosition position)
    {
        upstream = null!;
        position = default;
        if (headers is null || !headers.TryGetLastBytes(Header, out var bytes))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split(':');
        if (parts.Length != 4
            || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var offset)
            || !int.TryParse(parts[3], CultureInfo.InvariantCulture, out var index))
        {
            return false;
        }

        upstream = new TopicPartition(parts[0], partition);
        position = new UpstreamPosition(offset, index);
        return true;
    }
}

/// <summary>
/// Skips repartition records that repeat an upstream attempt: per upstream source partition, the origin of the last
/// record applied; a record at or below it is a repeat, unless its origin lies below the start of the upstream attempt
/// that sent it (<see cref="OutputOrigin.AttemptStartHeader"/>): a replay re-reads from that start, so such a record
/// comes from a legitimate rewind of the upstream input (a reset policy, a recreated topic) and is real data. On a real cluster read_committed hides such records; on the
/// embedded cluster they are visible, and an upstream task without a changelog may replay input after a crash. The
/// positions are part of the task's commit checkpoint, so they roll back and restore with the state they guard.
/// </summary>
internal sealed class UpstreamRepeatFilter
{
    private readonly HashSet<string> _repartitionTopics;
    private Dictionary<TopicPartition, UpstreamPosition> _applied = new();

    public UpstreamRepeatFilter(IEnumerable<string> repartitionTopics) => _repartitionTopics = repartitionTopics.ToHashSet();

    /// <summary>The positions applied so far, for the next checkpoint.</summary>
    public Dictionary<TopicPartition, UpstreamPosition> Snapshot() => new(_applied);

    /// <summary>Back to committed (or restored) positions.</summary>
    public void ResetTo(IReadOnlyDictionary<TopicPartition, UpstreamPosition> positions) => _applied = new(positions);

    /// <summary>Whether <paramref name="raw"/> repeats an applied upstream record; if not, records it as applied.</summary>
    public bool IsRepeat(ConsumeResult<byte[], byte[]> raw)
    {
        if (_repartitionTopics.Count == 0 || !_repartitionTopics.Contains(raw.Topic)
            || !OutputOrigin.TryParse(raw.Message.Headers, out var upstream, out var position))
        {
            return false;
        }

        if (_applied.TryGetValue(upstream, out var applied) && position.CompareTo(applied) <= 0
            && position.Offset >= OutputOrigin.AttemptStart(raw.Message.Headers))
        {
            return true;
        }

        _applied[upstream] = position;
        return false;
    }
}
