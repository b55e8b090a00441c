using System.Text;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.App.DeadLetters;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Serialization.Embedded;

namespace PrimeBroker.Streams.App.Tests.Cluster;

/// <summary>The <c>Brokerage:*Topic</c> overrides are honoured beyond the topology: by <c>topics</c>, the dead-letter
/// reader and the instrument publisher (an embedded cluster whose catalog exists only under the overridden names).</summary>
public sealed class TopicOverrideTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> s_overrides = new()
    {
        ["TradeEventsTopic"] = "desk.trades",
        ["InstrumentEventsTopic"] = "desk.instruments",
        ["PositionEventsTopic"] = "desk.positions",
        ["LedgerEventsTopic"] = "desk.ledger",
        ["SettlementEventsTopic"] = "desk.settlements",
        ["DeadLetterTopic"] = "desk.dead-letters",
        ["AlertsTopic"] = "desk.alerts",
    };

    private EmbeddedKafkaCluster _cluster = null!;

    private static BrokerageOptions Overridden()
    {
        var options = new BrokerageOptions();
        foreach (var (property, topic) in s_overrides)
        {
            typeof(BrokerageOptions).GetProperty(property)!.SetValue(options, topic);
        }

        return options;
    }

    public Task InitializeAsync()
    {
        _cluster = EmbeddedKafkaCluster.Start();
        foreach (var spec in TopicCatalog.For(Overridden()))
        {
            _cluster.CreateTopic(spec.Name, spec.Partitions, spec.ReplicationFactor);
        }

        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TopicsVerifiesTheCatalogUnderTheConfiguredNames()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] overrides = [.. s_overrides.SelectMany(o => new[] { $"--Brokerage:{o.Key}", o.Value })];

        var exitCode = await HostCommandLine.RunAsync(["topics", "--verify", "--bootstrap-servers", _cluster.BootstrapServers,
            "--dev-cluster-file", Probe.TempFile(), .. overrides], output, error).WaitAsync(Probe.Timeout);

        Assert.True(exitCode == HostCommandLine.Success, $"{error}\n{output}");
        Assert.All(s_overrides.Values, topic => Assert.Contains($"ok        {topic,-20}", output.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(PrimeBrokerTopics.TradeEvents + " ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheInstrumentPublisherAndTheDeadLetterReaderUseTheConfiguredTopics()
    {
        await using var registryServer = await EmbeddedSchemaRegistry.StartAsync();
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registryServer.Url });
        var clients = new KafkaClientSettings(_cluster.BootstrapServers, new Dictionary<string, string>());
        var options = Overridden();

        using (var instruments = new Generation.InstrumentPublisher(clients, registry, options))
        {
            await instruments.SeedAsync(3, CancellationToken.None);
        }

        using (var producer = new ProducerBuilder<byte[], byte[]>(clients.Producer()).Build())
        {
            await producer.ProduceAsync(options.DeadLetterTopic, new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes("ACC-1"),
                Value = [0xFF, 0x00],
                Headers = new Headers
                {
                    { DeadLetterHeaders.ErrorType, Encoding.UTF8.GetBytes("DeserializationFailed") },
                    { DeadLetterHeaders.ErrorMessage, Encoding.UTF8.GetBytes("not Avro") },
                    { DeadLetterHeaders.SourceTopic, Encoding.UTF8.GetBytes(options.TradeEventsTopic) },
                },
            });
        }

        Assert.Equal(3, RecordsIn(options.InstrumentEventsTopic));
        Assert.Equal(0, RecordsIn(PrimeBrokerTopics.InstrumentEvents));
        var letter = Assert.Single(new DeadLetterReader(clients, registry, options).ReadAll(Probe.Timeout));
        Assert.Equal("DeserializationFailed", letter.Reason);
        Assert.Equal(options.TradeEventsTopic, letter.SourceTopic);
    }

    private long RecordsIn(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(Probe.Timeout).Topics.SingleOrDefault(t => t.Topic == topic);
        if (metadata is null)
        {
            return 0;
        }

        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = "count" }).Build();
        return metadata.Partitions.Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), Probe.Timeout).High.Value);
    }
}
