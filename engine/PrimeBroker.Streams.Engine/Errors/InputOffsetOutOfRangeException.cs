namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>A source partition's position is no longer in the log: its records were deleted before being processed.</summary>
public sealed class InputOffsetOutOfRangeException : Exception
{
    public InputOffsetOutOfRangeException(string topic, int partition, long position)
        : base($"Input {topic} [{partition}] at offset {position} is out of range: records were deleted before this application " +
               "processed them. The task stops instead of skipping input; declare a reset policy on the source only where skipping is acceptable.")
    {
        Topic = topic;
        Partition = partition;
        Position = position;
    }

    public string Topic { get; }

    public int Partition { get; }

    public long Position { get; }
}
