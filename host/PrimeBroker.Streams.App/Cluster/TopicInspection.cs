using Confluent.Kafka;
using Confluent.Kafka.Admin;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>A topic as it exists on the cluster.</summary>
/// <param name="Partitions">Partition count.</param>
/// <param name="Configs">Its topic-level configs; null when they could not be read (the embedded cluster keeps none, or
/// the account may not describe configs).</param>
internal sealed record ExistingTopic(int Partitions, IReadOnlyDictionary<string, string>? Configs);

/// <summary>Reads which topics exist, with their partition counts and configs.</summary>
internal interface ITopicInspector
{
    /// <summary>The topics of <paramref name="names"/> that exist, by name.</summary>
    Task<IReadOnlyDictionary<string, ExistingTopic>> DescribeAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken);
}

/// <summary>Reads topics through the Admin API: metadata for partitions, DescribeConfigs for configs (only on a real
/// cluster: the embedded one ignores topic configs, so there is nothing to compare).</summary>
internal sealed class AdminTopicInspector(KafkaClientSettings clients, bool readConfigs, TimeSpan timeout) : ITopicInspector
{
    /// <summary>Why the configs could not be read (the account may not describe them, or the cluster answers no
    /// DescribeConfigs); null when they were read or not asked for.</summary>
    internal string? ConfigsUnreadable { get; private set; }

    public async Task<IReadOnlyDictionary<string, ExistingTopic>> DescribeAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(clients.Admin()).LoggingTo(clients.Log).Build();
        // All-topics metadata: asking for topics by name would auto-create them on clusters that allow that.
        var partitions = admin.GetMetadata(timeout).Topics
            .Where(t => !t.Error.IsError && names.Contains(t.Topic)).ToDictionary(t => t.Topic, t => t.Partitions.Count);
        var configs = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        if (readConfigs && partitions.Count > 0)
        {
            try
            {
                var results = await admin.DescribeConfigsAsync(
                    partitions.Keys.Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t }),
                    new DescribeConfigsOptions { RequestTimeout = timeout }).WaitAsync(cancellationToken);
                foreach (var result in results)
                {
                    configs[result.ConfigResource.Name] = result.Entries.ToDictionary(e => e.Key, e => e.Value.Value ?? string.Empty);
                }
            }
            catch (KafkaException e)
            {
                // Partition counts are still checked; the caller says that the policies were not.
                ConfigsUnreadable = e.Message;
            }
        }

        return partitions.ToDictionary(p => p.Key, p => new ExistingTopic(p.Value, configs.GetValueOrDefault(p.Key)));
    }
}

/// <summary>Compares the catalog with the topics that exist: partition counts always, <c>cleanup.policy</c> where the
/// configs are known (a reference-data topic with <c>delete</c> forgets instruments after its retention).</summary>
internal static class CatalogCheck
{
    /// <summary>One line per catalog topic, and whether it matches.</summary>
    internal static IReadOnlyList<(bool Ok, string Line)> Compare(IEnumerable<TopicSpec> catalog, IReadOnlyDictionary<string, ExistingTopic> existing)
    {
        var lines = new List<(bool, string)>();
        foreach (var spec in catalog)
        {
            var found = existing.TryGetValue(spec.Name, out var topic);
            var problems = new List<string>();
            if (found && spec.Configs.TryGetValue("cleanup.policy", out var expected) && topic!.Configs?.GetValueOrDefault("cleanup.policy") is { } actual
                && !SamePolicy(expected, actual))
            {
                problems.Add($"cleanup.policy is {actual}, expected {expected} (fix: kafka-configs.sh --bootstrap-server <servers> --alter " +
                    $"--entity-type topics --entity-name {spec.Name} --add-config cleanup.policy={expected})");
            }

            var ok = found && topic!.Partitions == spec.Partitions && problems.Count == 0;
            var text = $"{(ok ? "ok" : "MISMATCH"),-9} {spec.Name,-20} expected {spec.Partitions} partitions, {(found ? $"found {topic!.Partitions}" : "missing")}";
            lines.Add((ok, problems.Count == 0 ? text : $"{text}; {string.Join("; ", problems)}"));
        }

        return lines;
    }

    // "compact,delete" and "delete,compact" are the same policy.
    private static bool SamePolicy(string expected, string actual) =>
        expected.Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)
            .SequenceEqual(actual.Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
}
