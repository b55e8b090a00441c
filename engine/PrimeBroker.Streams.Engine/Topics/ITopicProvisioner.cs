namespace PrimeBroker.Streams.Engine.Topics;

/// <summary>
/// Makes sure topics exist with the expected partition counts. Idempotent: a topic that exists with the same partition
/// count is left alone; one with a different count raises <see cref="TopicMismatchException"/>.
/// </summary>
/// <remarks>Two implementations ship: <c>AdminClientTopicProvisioner</c> for a real cluster (CreateTopics) and the embedded
/// cluster, whose mock brokers do not implement CreateTopics and are provisioned through librdkafka's mock API.
/// <see cref="StreamsApplication.StartAsync"/> calls it once with the changelog and repartition topics (and the
/// instance directory topic), before any stream thread starts.</remarks>
public interface ITopicProvisioner
{
    /// <summary>Creates the missing topics of <paramref name="topics"/> and checks the partition counts of those that
    /// exist.</summary>
    /// <param name="topics">The topics as they should exist; must not be null.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still take effect.</param>
    /// <returns>A task that completes when every topic exists with its partition count.</returns>
    /// <exception cref="TopicMismatchException">An existing topic has another partition count.</exception>
    Task EnsureTopicsAsync(IEnumerable<TopicSpec> topics, CancellationToken cancellationToken = default);
}
