using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>
/// The settings every Kafka client of this program starts from: the bootstrap servers and the librdkafka pass-through
/// settings of configuration section <c>Kafka:Client</c> (security, timeouts, ...). Every producer, consumer and admin
/// client the host builds takes its config from here, and the streams application gets the same settings through
/// <c>StreamsConfig.ClientConfig</c>, so a managed cluster's SASL/TLS settings reach them all.
/// </summary>
/// <remarks>Immutable. The settings hold secrets (<c>sasl.password</c>, ...): log only <see cref="Describe"/>.</remarks>
internal sealed class KafkaClientSettings
{
    /// <summary>Creates the settings.</summary>
    /// <param name="bootstrapServers"><c>host:port,...</c>.</param>
    /// <param name="settings">librdkafka keys and values; copied.</param>
    /// <param name="log">Where the clients built from these settings log (<see cref="ClientLogs"/>); null leaves
    /// librdkafka's default, its own lines on stderr.</param>
    internal KafkaClientSettings(string bootstrapServers, IReadOnlyDictionary<string, string> settings, ILogger? log = null)
    {
        BootstrapServers = bootstrapServers;
        Log = log;
        Settings = new Dictionary<string, string>(settings, StringComparer.Ordinal).AsReadOnly();
    }

    /// <summary>The cluster.</summary>
    internal string BootstrapServers { get; }

    /// <summary>Where the clients log: pass it to <c>LoggingTo</c> of every builder (<see cref="ClientLogs"/>).</summary>
    internal ILogger? Log { get; }

    /// <summary>The pass-through librdkafka settings (without <c>bootstrap.servers</c>).</summary>
    internal IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>An admin client config: the pass-through settings and the bootstrap servers.</summary>
    internal AdminClientConfig Admin() => new(Copy()) { BootstrapServers = BootstrapServers };

    /// <summary>A consumer config: the pass-through settings and the bootstrap servers; the caller adds its role's keys.</summary>
    internal ConsumerConfig Consumer() => new(Copy()) { BootstrapServers = BootstrapServers };

    /// <summary>A producer config: the pass-through settings and the bootstrap servers; the caller adds its role's keys.</summary>
    internal ProducerConfig Producer() => new(Copy()) { BootstrapServers = BootstrapServers };

    /// <summary>The settings for a log line: every key, secrets' values replaced by <c>***</c>.</summary>
    internal string Describe() =>
        Settings.Count == 0 ? "(none)"
            : string.Join(", ", Settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={(IsSecret(s.Key) ? "***" : s.Value)}"));

    /// <summary>Whether a librdkafka key holds a secret (passwords, private keys, tokens, JAAS and OAuth configs).</summary>
    internal static bool IsSecret(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase)
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || key.Contains("token", StringComparison.OrdinalIgnoreCase)
        || key.Equals("ssl.key.pem", StringComparison.OrdinalIgnoreCase)
        || key.Equals("sasl.jaas.config", StringComparison.OrdinalIgnoreCase)
        || key.Equals("sasl.oauthbearer.config", StringComparison.OrdinalIgnoreCase);

    private Dictionary<string, string> Copy() => new(Settings, StringComparer.Ordinal);
}
