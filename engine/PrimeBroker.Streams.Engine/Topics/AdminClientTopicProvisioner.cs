using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeBroker.Streams.Engine.Internal;

namespace PrimeBroker.Streams.Engine.Topics;

/// <summary>
/// <see cref="ITopicProvisioner"/> for a real Kafka cluster, through the Admin API.
/// </summary>
/// <remarks>
/// <para>Each call:</para>
/// <list type="number">
/// <item>reads the partition count of every existing topic (one all-topics metadata request, which never auto-creates);</item>
/// <item>throws <see cref="TopicMismatchException"/> for the first existing topic whose count differs from its spec,
/// before creating anything;</item>
/// <item>creates the missing topics in one CreateTopics request, with their replication factor and configs;</item>
/// <item>treats TOPIC_ALREADY_EXISTS as a race with another instance: re-reads the metadata and verifies the count.</item>
/// </list>
/// <para>Configs of existing topics are not compared or altered. Not usable against the embedded (mock) cluster for
/// missing topics: the mock has no CreateTopics and the request times out; use the embedded cluster's provisioner there.</para>
/// <para>Thread-safety: calls may run concurrently (the admin client is thread-safe); the instance does not own the
/// admin client and never disposes it.</para>
/// </remarks>
public sealed class AdminClientTopicProvisioner : ITopicProvisioner
{
    private readonly IAdminClient _adminClient;
    private readonly AdminClientTopicProvisionerOptions _options;
    private readonly ILogger _logger;

    /// <param name="adminClient">Admin client of the target cluster; not disposed by this instance.</param>
    /// <param name="options">Settings; null means defaults.</param>
    /// <param name="logger">Logging; null means none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public AdminClientTopicProvisioner(IAdminClient adminClient, AdminClientTopicProvisionerOptions? options = null,
        ILogger<AdminClientTopicProvisioner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(adminClient);
        options ??= new AdminClientTopicProvisionerOptions();
        options.Validate();
        _adminClient = adminClient;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    /// <exception cref="TopicMismatchException">An existing topic has another partition count.</exception>
    /// <exception cref="CreateTopicsException">The cluster refused to create a topic for another reason than that it
    /// already exists.</exception>
    /// <exception cref="KafkaException">A metadata request failed or timed out.</exception>
    public async Task EnsureTopicsAsync(IEnumerable<TopicSpec> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var specs = topics.ToList();
        var existing = await ReadPartitionCountsAsync(cancellationToken).ConfigureAwait(false);
        var missing = new List<TopicSpec>();
        foreach (var spec in specs)
        {
            if (existing.TryGetValue(spec.Name, out var actual))
            {
                Verify(spec, actual);
            }
            else
            {
                missing.Add(spec);
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var raced = new List<TopicSpec>();
        try
        {
            await _adminClient.CreateTopicsAsync(
                missing.Select(ToSpecification),
                new CreateTopicsOptions { RequestTimeout = _options.RequestTimeout, OperationTimeout = _options.RequestTimeout })
                .ConfigureAwait(false);
        }
        catch (CreateTopicsException e)
        {
            var failed = e.Results.Where(r => r.Error.Code is not (ErrorCode.NoError or ErrorCode.TopicAlreadyExists)).ToList();
            if (failed.Count > 0)
            {
                throw;
            }

            var racedNames = e.Results.Where(r => r.Error.Code == ErrorCode.TopicAlreadyExists).Select(r => r.Topic).ToHashSet();
            raced.AddRange(missing.Where(s => racedNames.Contains(s.Name)));
        }

        foreach (var spec in missing.Except(raced))
        {
            _logger.TopicCreated(spec.Name, spec.Partitions, spec.ReplicationFactor);
        }

        if (raced.Count == 0)
        {
            return;
        }

        existing = await ReadPartitionCountsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var spec in raced)
        {
            _logger.TopicCreatedConcurrently(spec.Name);
            if (!existing.TryGetValue(spec.Name, out var actual))
            {
                throw new KafkaException(new Error(ErrorCode.UnknownTopicOrPart,
                    $"Topic '{spec.Name}' was reported as existing but is missing from the metadata."));
            }

            Verify(spec, actual);
        }
    }

    private void Verify(TopicSpec spec, int actualPartitions)
    {
        if (actualPartitions != spec.Partitions)
        {
            throw new TopicMismatchException(spec.Name, spec.Partitions, actualPartitions);
        }

        _logger.TopicVerified(spec.Name, actualPartitions);
    }

    private async Task<Dictionary<string, int>> ReadPartitionCountsAsync(CancellationToken cancellationToken)
    {
        // GetMetadata blocks the calling thread for up to the timeout.
        var metadata = await Task.Run(() => _adminClient.GetMetadata(_options.RequestTimeout), cancellationToken)
            .ConfigureAwait(false);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in metadata.Topics)
        {
            if (topic.Error.Code == ErrorCode.NoError)
            {
                counts[topic.Topic] = topic.Partitions.Count;
            }
        }

        return counts;
    }

    private static TopicSpecification ToSpecification(TopicSpec spec) => new()
    {
        Name = spec.Name,
        NumPartitions = spec.Partitions,
        ReplicationFactor = spec.ReplicationFactor,
        Configs = spec.Configs.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
    };
}
