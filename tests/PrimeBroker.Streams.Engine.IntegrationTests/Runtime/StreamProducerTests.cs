using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>
/// The stream thread's transactional producer (<see cref="KafkaClients.StreamProducer"/>) on the embedded cluster: it
/// has no background poll thread, so a flush serves every delivery report itself. librdkafka's flush polls the report
/// queue in steps of at most 10 ms, and when another thread took the last report it slept out the step: that was up to
/// 10 ms per flush, two flushes per commit (bench/README.md, issue 20).
/// </summary>
public sealed class StreamProducerTests
{
    [Fact]
    public async Task AFlushRunsEveryDeliveryCallbackOnTheFlushingThread()
    {
        await using var cluster = EmbeddedKafkaCluster.Start();
        var topic = ClusterProbe.UniqueTopic("out");
        cluster.CreateTopic(topic, partitions: 2, replicationFactor: 3);
        var config = new StreamsConfig { ApplicationId = "stream-producer-test", BootstrapServers = cluster.BootstrapServers };
        var clients = new KafkaClients(config, NullLoggerFactory.Instance);
        using var metrics = new EngineMetrics(config.ApplicationId);
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = config.ApplicationId }).Build();
        using var transaction = new KafkaTransaction(() => clients.StreamProducer("thread-0", config.ApplicationId + "-0"), consumer, transactional: true,
            TimeSpan.FromSeconds(30), metrics);

        for (var round = 0; round < 3; round++)
        {
            var threads = new ConcurrentBag<int>();
            for (var i = 0; i < 20; i++)
            {
                transaction.Send(topic, i % 2, [(byte)i], [(byte)round], null, 0, _ => threads.Add(Environment.CurrentManagedThreadId));
            }

            transaction.Flush();

            Assert.Equal(20, threads.Count);
            Assert.All(threads, thread => Assert.Equal(Environment.CurrentManagedThreadId, thread));
            transaction.Commit(new Dictionary<TopicPartition, long>());
        }
    }
}
