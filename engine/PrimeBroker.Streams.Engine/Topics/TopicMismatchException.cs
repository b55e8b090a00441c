namespace PrimeBroker.Streams.Engine.Topics;

/// <summary>An existing topic does not match its <see cref="TopicSpec"/> (for example another partition count).</summary>
public sealed class TopicMismatchException : Exception
{
    /// <summary>Topic <paramref name="topic"/> has <paramref name="actualPartitions"/> partitions instead of
    /// <paramref name="expectedPartitions"/>.</summary>
    /// <param name="topic">The topic's name.</param>
    /// <param name="expectedPartitions">The partition count of its spec.</param>
    /// <param name="actualPartitions">The partition count on the cluster.</param>
    public TopicMismatchException(string topic, int expectedPartitions, int actualPartitions)
        : base($"Topic '{topic}' exists with {actualPartitions} partitions but {expectedPartitions} are expected; " +
               "partition counts cannot be changed without re-keying, so fix the topic or the catalog.")
    {
        Topic = topic;
        ExpectedPartitions = expectedPartitions;
        ActualPartitions = actualPartitions;
    }

    /// <summary>The topic's name.</summary>
    public string Topic { get; }

    /// <summary>The partition count of its spec.</summary>
    public int ExpectedPartitions { get; }

    /// <summary>The partition count on the cluster.</summary>
    public int ActualPartitions { get; }
}
