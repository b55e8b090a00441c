namespace PrimeBroker.Streams.Engine.Topics;

/// <summary>
/// Makes sure topics exist with the expected partition counts. Idempotent: a topic that exists with the same partition
/// count is left alone; one with a different count raises <see cref="TopicMismatchException"/>.
/// </summary>
/// <remarks>Two implementations ship: <c>AdminClientTopicProvisioner</c> for a real cluster (CreateTopics) and the embedded
/// cluster, whose mock brokers do not implement CreateTopics and are provisioned through librdkafka's mock API.</remarks>
public interface ITopicProvisioner
{
    Task EnsureTopicsAsync(IEnumerable<TopicSpec> topics, CancellationToken cancellationToken = default);
}
