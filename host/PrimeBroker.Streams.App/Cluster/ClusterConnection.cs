using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>
/// Where the cluster and the registry are, resolved once at start: the switches / configuration
/// (<see cref="KafkaOptions"/>, <see cref="SchemaRegistryOptions"/>); else the connection file of a running
/// <c>dev-cluster</c> in the current directory; in <c>demo</c>, the embedded cluster it started (<see cref="Set"/>).
/// </summary>
/// <remarks>Thread-safe. Reading before the connection is known throws <see cref="InvalidOperationException"/> naming
/// what to pass.</remarks>
internal sealed class ClusterConnection(IOptions<KafkaOptions> kafka, IOptions<SchemaRegistryOptions> registry, ILoggerFactory? loggers = null)
{
    private readonly object _lock = new();
    private (string Bootstrap, string Registry, ITopicProvisioner? Provisioner)? _resolved;

    /// <summary>Whether the cluster is the embedded one started by this process (<c>demo</c>).</summary>
    internal bool Embedded { get; private set; }

    /// <summary>The bootstrap servers.</summary>
    internal string BootstrapServers => Resolve().Bootstrap;

    /// <summary>The registry URL.</summary>
    internal string RegistryUrl => Resolve().Registry;

    /// <summary>What every Kafka client of this program is built from: the bootstrap servers and the pass-through
    /// settings of <c>Kafka:Client</c>.</summary>
    internal KafkaClientSettings Clients => new(BootstrapServers, kafka.Value.Client, loggers?.CreateLogger(ClientLogs.Category));

    /// <summary>The registry client config: <see cref="RegistryUrl"/> with the configured authentication and TLS.</summary>
    internal SchemaRegistryConfig RegistryConfig() => RegistryClients.Config(RegistryUrl, registry.Value);

    /// <summary>A registry client on <see cref="RegistryConfig"/>; the caller disposes it.</summary>
    internal ISchemaRegistryClient CreateRegistryClient() => new CachedSchemaRegistryClient(RegistryConfig());

    /// <summary>Creates internal topics where the cluster cannot (an embedded cluster, in this process or in a running
    /// <c>dev-cluster</c>); null means the Admin API.</summary>
    internal ITopicProvisioner? TopicProvisioner => Resolve().Provisioner;

    /// <summary>Whether the cluster is a real Kafka cluster rather than an embedded one (this process's, or a running
    /// <c>dev-cluster</c>'s, known by its connection file): only a real broker's read_committed reads hide aborted and open
    /// transactions, which lets restores apply changelogs in bounded chunks.</summary>
    internal bool IsRealCluster => !Embedded && TopicProvisioner is null;

    /// <summary>Sets the connection to an embedded cluster and registry started by this process.</summary>
    internal void Set(string bootstrapServers, string registryUrl, ITopicProvisioner provisioner)
    {
        lock (_lock)
        {
            _resolved = (bootstrapServers, registryUrl, provisioner);
            Embedded = true;
        }
    }

    private (string Bootstrap, string Registry, ITopicProvisioner? Provisioner) Resolve()
    {
        lock (_lock)
        {
            return _resolved ??= FromConfiguration();
        }
    }

    private (string, string, ITopicProvisioner?) FromConfiguration()
    {
        var bootstrap = kafka.Value.BootstrapServers;
        var url = registry.Value.Url;
        ITopicProvisioner? provisioner = null;
        {
            // The file also tells whether the cluster is an embedded one that creates topics on request.
            var file = Path.GetFullPath(kafka.Value.DevClusterFile);
            if (File.Exists(file))
            {
                var info = DevClusterInfo.ReadFrom(file);
                bootstrap = string.IsNullOrWhiteSpace(bootstrap) ? info.BootstrapServers : bootstrap;
                url = string.IsNullOrWhiteSpace(url) ? info.SchemaRegistryUrl : url;
                if (info.TopicProvisioningUrl is { } provisioning && bootstrap == info.BootstrapServers)
                {
                    provisioner = new DevClusterTopicProvisioner(provisioning);
                }
            }
        }

        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            throw new InvalidOperationException(
                $"No Kafka cluster: pass --bootstrap-servers, or start 'dev-cluster' in this directory (no {kafka.Value.DevClusterFile} in {Environment.CurrentDirectory}).");
        }

        if (string.IsNullOrWhiteSpace(url))
        {
            throw new InvalidOperationException(
                "No schema registry: pass --schema-registry-url (or start 'dev-cluster', which writes it to its connection file).");
        }

        return (bootstrap, url, provisioner);
    }
}
