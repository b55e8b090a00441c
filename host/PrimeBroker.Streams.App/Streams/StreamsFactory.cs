using System.Diagnostics.Metrics;
using System.Net;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Streams;

/// <summary>Builds this instance's <see cref="StreamsApplication"/> from the host's options: the prime-broker topology,
/// the resolved cluster, and the streams settings.</summary>
internal static class StreamsFactory
{
    internal static StreamsApplication Create(IServiceProvider services)
    {
        var brokerage = services.GetRequiredService<IOptions<BrokerageOptions>>().Value;
        var topology = BrokerageTopology.Build(brokerage, services.GetRequiredService<ISchemaRegistryClient>(),
            services.GetRequiredService<BrokerageServices>());
        var config = Config(services);
        AppLog.KafkaClients(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StreamsFactory)),
            config.BootstrapServers, services.GetRequiredService<ClusterConnection>().Clients.Describe());
        return new StreamsApplication(topology, config, services.GetRequiredService<ILoggerFactory>(), services.GetService<IMeterFactory>());
    }

    /// <summary>The streams settings of this instance: the host's options, the resolved cluster, and the pass-through
    /// client settings (<c>Kafka:Client</c>), which reach every client the engine creates.</summary>
    internal static StreamsConfig Config(IServiceProvider services)
    {
        var streams = services.GetRequiredService<IOptions<StreamsOptions>>().Value;
        var http = services.GetRequiredService<IOptions<HttpOptions>>().Value;
        var brokerage = services.GetRequiredService<IOptions<BrokerageOptions>>().Value;
        var connection = services.GetRequiredService<ClusterConnection>();
        var latency = ClusterLatencyDefaults.For(connection.IsRealCluster);
        var config = new StreamsConfig
        {
            ApplicationId = streams.ApplicationId,
            BootstrapServers = connection.BootstrapServers,
            StateDirectory = streams.StateDirectory,
            NumStreamThreads = streams.Threads,
            CommitInterval = streams.CommitInterval,
            MinCommitInterval = streams.MinCommitInterval,
            InternalTopicReplicationFactor = streams.ReplicationFactor,
            ProcessingGuarantee = streams.ProcessingGuarantee,
            ApplicationServer = ApplicationServerAddress.Resolve(streams, http, Dns.GetHostName),
            DeadLetterTopic = brokerage.DeadLetterTopic,
            TopicProvisioner = connection.TopicProvisioner,
            // The embedded cluster (librdkafka's mock) shows aborted and open transactions to read_committed readers, so
            // restores there must buffer each transaction until its marker; a real cluster lets them apply in chunks.
            ReadCommittedHidesUncommitted = connection.IsRealCluster,
            FetchWaitMax = latency.FetchWaitMax,
            TransactionalGroupOffsets = latency.TransactionalGroupOffsets,
            ClientConfig = connection.Clients.Settings,
            CloseTimeout = services.GetRequiredService<IOptions<ShutdownOptions>>().Value.ShutdownTimeout,
            RocksDbMemoryBound = streams.RocksDb.Bounded,
            RocksDbBlockCacheBytes = streams.RocksDb.BlockCacheBytes,
            RocksDbWriteBufferBytes = streams.RocksDb.WriteBufferBytes,
        };
        // Group timing, static membership and cooperative rebalancing per cluster kind (GroupDefaults), unless set.
        return GroupDefaults.For(connection.IsRealCluster).ApplyTo(config, streams);
    }
}
