namespace PrimeBroker.Streams.Engine.Topics;

/// <summary>An existing topic does not match its <see cref="TopicSpec"/> (for example another partition count).</summary>
public sealed class TopicMismatchException : Exception
{
    public TopicMismatchException(string topic, int expectedPartitions, int actualPartitions)
        : base($"Topic '{topic}' exists with {actualPartitions} partitions but {expectedPartitions} are expected; " +
               "partition counts cannot be changed without re-keying, so fix the topic or the catalog.")
    {
        Topic = topic;
        ExpectedPartitions = expectedPartitions;
        ActualPartitions = actualPartitions;
    }

    public string Topic { get; }

    public int ExpectedPartitions { get; }

    public int ActualPartitions { get; }
}
