namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>A source partition's position is no longer in the log: its records were deleted before being processed.</summary>
/// <remarks>Raised by a <see cref="StreamsApplication"/> for sources with <see cref="Dsl.OffsetResetPolicy.EarliestThenFail"/> (the default); the task stops
/// and is reported like a <see cref="TaskFailedException"/>. The metric <c>pbs.input.out_of_range</c> counts every
/// out-of-range event, whatever the policy.</remarks>
public sealed class InputOffsetOutOfRangeException : Exception
{
    /// <summary>Input <paramref name="topic"/> [<paramref name="partition"/>] lost the records from
    /// <paramref name="position"/> on.</summary>
    /// <param name="topic">The source topic.</param>
    /// <param name="partition">The source partition.</param>
    /// <param name="position">The offset the task was about to read, or -1 when unknown.</param>
    public InputOffsetOutOfRangeException(string topic, int partition, long position)
        : base($"Input {topic} [{partition}] at offset {position} is out of range: records were deleted before this application " +
               "processed them. The task stops instead of skipping input; declare a reset policy on the source only where skipping is acceptable.")
    {
        Topic = topic;
        Partition = partition;
        Position = position;
    }

    /// <summary>The source topic.</summary>
    public string Topic { get; }

    /// <summary>The source partition.</summary>
    public int Partition { get; }

    /// <summary>The offset the task was about to read, or -1 when unknown.</summary>
    public long Position { get; }
}
