using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Brokerage.Publishing;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Serialization.Embedded;

namespace PrimeBroker.Streams.Brokerage.Tests.Publishing;

/// <summary>One embedded cluster and registry for the publisher tests; each test writes its own topic.</summary>
public sealed class PublisherCluster : IAsyncLifetime
{
    public EmbeddedKafkaCluster Cluster { get; private set; } = null!;

    public EmbeddedSchemaRegistry Registry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { BrokerCount = 1 });
        Registry = await EmbeddedSchemaRegistry.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    public string NewTopic(int partitions = 20)
    {
        var topic = $"trades-{Guid.NewGuid():N}";
        Cluster.CreateTopic(topic, partitions, 1);
        return topic;
    }
}

public sealed class TradePublisherTests(PublisherCluster fixture) : IClassFixture<PublisherCluster>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NumbersEachAccountConsecutivelyAndTheTopicHoldsThemInThatOrderUnderConcurrentPublishes()
    {
        var topic = fixture.NewTopic();
        using var registry = Registry();
        await using var publisher = await Start(topic, registry);
        string[] accounts = ["ACC-0001", "ACC-0002", "ACC-0003", "account-001", "X"];

        // Four writers at once, 50 trades each, accounts interleaved.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var sends = new List<Task<PublishedTrade>>();
            for (var i = 0; i < 50; i++)
            {
                sends.Add(publisher.PublishAsync(Trade(accounts[(w + i) % accounts.Length], $"T-{w}-{i}")));
            }

            return await Task.WhenAll(sends);
        })).ToList();
        var published = (await Task.WhenAll(writers).WaitAsync(s_timeout)).SelectMany(x => x).ToList();

        Assert.Equal(200, published.Count);
        Assert.Equal(200, published.Select(p => p.IdempotencyKey).Distinct().Count());
        var read = ReadAll(topic, registry, 200);
        foreach (var account in accounts)
        {
            var sequences = read.Where(r => r.Trade.accountId == account).OrderBy(r => r.Offset).Select(r => r.Trade.sequenceNumber).ToList();
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
            Assert.Equal(sequences.Count, publisher.LastSequence(account));
        }
    }

    [Fact]
    public async Task PlacesAccountsOnTheSamePartitionsAsJavaClientsAndTheEngine()
    {
        var topic = fixture.NewTopic();
        using var registry = Registry();
        await using var publisher = await Start(topic, registry);

        // Java's murmur2 vectors for 20 partitions (checked against kafkajs' default partitioner).
        Assert.Equal(5, publisher.PartitionFor("ACC-0001"));
        Assert.Equal(8, publisher.PartitionFor("ACC-0002"));
        Assert.Equal(15, publisher.PartitionFor("account-001"));
        foreach (var account in new[] { "ACC-0001", "ACC-0002", "account-001", "ACC-12345", "Zürich-7" })
        {
            var written = await publisher.PublishAsync(Trade(account, $"T-{account}")).WaitAsync(s_timeout);
            Assert.Equal(Partitioning.ForKey(Encoding.UTF8.GetBytes(account), 20), written.Partition);
            Assert.Equal(publisher.PartitionFor(account), written.Partition);
        }
    }

    [Fact]
    public async Task KeepsAGivenIdempotencyKeyAndAssignsAFreshSequenceNumber()
    {
        var topic = fixture.NewTopic();
        using var registry = Registry();
        await using var publisher = await Start(topic, registry);

        var first = await publisher.PublishAsync(Trade("ACC-0001", "T-1", key: "order-77")).WaitAsync(s_timeout);
        var again = await publisher.PublishAsync(Trade("ACC-0001", "T-1", key: "order-77")).WaitAsync(s_timeout);

        Assert.Equal(("order-77", 1L), (first.IdempotencyKey, first.SequenceNumber));
        Assert.Equal(("order-77", 2L), (again.IdempotencyKey, again.SequenceNumber));
    }

    [Fact]
    public async Task AfterARestartContinuesEveryAccountFromTheLastSequenceOnTheTopic()
    {
        var topic = fixture.NewTopic();
        using var registry = Registry();
        await using (var before = await Start(topic, registry))
        {
            for (var i = 0; i < 3; i++)
            {
                await before.PublishAsync(Trade("ACC-0001", $"A-{i}")).WaitAsync(s_timeout);
            }

            for (var i = 0; i < 5; i++)
            {
                await before.PublishAsync(Trade("ACC-0002", $"B-{i}")).WaitAsync(s_timeout);
            }

            // A resend of an old record (same number) must not lower the counter a restart recovers.
            var old = Trade("ACC-0002", "B-0");
            old.sequenceNumber = 1;
            old.idempotencyKey = "resent";
            await before.PublishAsIsAsync("ACC-0002", old, 1, "resent").WaitAsync(s_timeout);
        }

        await using var after = await Start(topic, registry);

        Assert.Equal(3, after.LastSequence("ACC-0001"));
        Assert.Equal(5, after.LastSequence("ACC-0002"));
        Assert.Equal(0, after.LastSequence("ACC-NEVER"));
        Assert.Equal(4, (await after.PublishAsync(Trade("ACC-0001", "A-3")).WaitAsync(s_timeout)).SequenceNumber);
        Assert.Equal(6, (await after.PublishAsync(Trade("ACC-0002", "B-5")).WaitAsync(s_timeout)).SequenceNumber);
        Assert.Equal(1, (await after.PublishAsync(Trade("ACC-NEVER", "C-0")).WaitAsync(s_timeout)).SequenceNumber);
    }

    [Fact]
    public async Task RecoveringChosenPartitionsRaisesCountersNumberedElsewhere()
    {
        var topic = fixture.NewTopic();
        using var registry = Registry();
        await using var mine = await Start(topic, registry);
        await using (var other = await Start(topic, registry))
        {
            for (var i = 0; i < 4; i++)
            {
                await other.PublishAsync(Trade("ACC-0001", $"O-{i}")).WaitAsync(s_timeout);
            }
        }

        Assert.Equal(0, mine.LastSequence("ACC-0001"));
        await mine.RecoverPartitionsAsync([mine.PartitionFor("ACC-0001")]).WaitAsync(s_timeout);

        Assert.Equal(4, mine.LastSequence("ACC-0001"));
    }

    /// <summary>Finding 6: the trade topic has lost every record of ACC-0001 to retention (here: a fresh topic), but
    /// the topology's sequences changelog says it expects 8 next. The publisher continues at 8, not at 1 (which the
    /// topology would skip as a duplicate).</summary>
    [Fact]
    public async Task AfterTheTopicsRetentionContinuesFromTheTopologysAppliedSequences()
    {
        var topic = fixture.NewTopic();
        var changelog = TradePublisherOptions.AppliedSequencesTopicOf($"app-{Guid.NewGuid():N}");
        fixture.Cluster.CreateTopic(changelog, 20, 1);
        using var registry = Registry();
        await using (var probe = await Start(topic, registry))
        {
            int partition = probe.PartitionFor("ACC-0001");
            await WriteChangelogAsync(changelog, partition,
                ("ACC-0001", Serializers.Int64.Serialize(5, default)),
                ("ACC-0001", Serializers.Int64.Serialize(8, default)),   // the newest value counts
                ("ACC-0002", null),                                       // a tombstone
                ("\0pbs.commit", [1, 2, 3]));                            // not an account's number
            await WriteChangelogAsync(changelog, probe.PartitionFor("ACC-0002"), ("ACC-0002", Serializers.Int64.Serialize(3, default)));
            await probe.PublishAsync(Trade("ACC-0002", "B-0")).WaitAsync(s_timeout); // the topic knows 1, the changelog 2
        }

        await using var after = await Start(topic, registry, changelog);

        Assert.Equal(7, after.LastSequence("ACC-0001"));
        Assert.Equal(8, (await after.PublishAsync(Trade("ACC-0001", "A-8")).WaitAsync(s_timeout)).SequenceNumber);
        Assert.Equal(2, after.LastSequence("ACC-0002"));
        Assert.Equal(0, after.LastSequence("ACC-NEVER"));

        // A claim of a partition reads the changelog's partition again.
        await WriteChangelogAsync(changelog, after.PartitionFor("ACC-0002"), ("ACC-0002", Serializers.Int64.Serialize(21, default)));
        await after.RecoverPartitionsAsync([after.PartitionFor("ACC-0002")]).WaitAsync(s_timeout);
        Assert.Equal(20, after.LastSequence("ACC-0002"));
    }

    /// <summary>Finding 6 end to end: the real topology applies three trades of ACC-0001 (dead-lettered for their unknown
    /// instrument, which still consumes their numbers), then the account's records leave trade-events (deleted as
    /// retention would); a publisher given the application's changelog continues at 4.</summary>
    [Fact]
    public async Task TheTopologysOwnSequencesChangelogCarriesTheNumbersPastTheTopicsRetention()
    {
        string prefix = $"e2e-{Guid.NewGuid():N}"[..16];
        var options = new BrokerageOptions
        {
            TradeEventsTopic = $"{prefix}-trades", InstrumentEventsTopic = $"{prefix}-instruments", PositionEventsTopic = $"{prefix}-positions",
            LedgerEventsTopic = $"{prefix}-ledger", SettlementEventsTopic = $"{prefix}-settlements", DeadLetterTopic = $"{prefix}-dlq",
            AlertsTopic = $"{prefix}-alerts",
        };
        foreach (string t in new[] { options.TradeEventsTopic, options.InstrumentEventsTopic, options.PositionEventsTopic, options.LedgerEventsTopic,
            options.SettlementEventsTopic, options.DeadLetterTopic, options.AlertsTopic })
        {
            fixture.Cluster.CreateTopic(t, t == options.InstrumentEventsTopic ? 1 : 20, 1);
        }

        using var registry = Registry();
        string applicationId = $"{prefix}-app";
        string stateDirectory = Path.Combine(Path.GetTempPath(), applicationId);
        int partition;
        try
        {
            await using (var app = new Engine.StreamsApplication(BrokerageTopology.Build(options, registry), new Engine.StreamsConfig
            {
                ApplicationId = applicationId,
                BootstrapServers = fixture.Cluster.BootstrapServers,
                StateDirectory = stateDirectory,
                ProcessingGuarantee = Engine.ProcessingGuarantee.ExactlyOnceV2,
                TopicProvisioner = fixture.Cluster.CreateTopicProvisioner(),
                TransactionalGroupOffsets = false,
            }))
            {
                await app.StartAsync();
                await using (var before = await Start(options.TradeEventsTopic, registry))
                {
                    partition = before.PartitionFor("ACC-0001");
                    for (var i = 0; i < 3; i++)
                    {
                        await before.PublishAsync(Trade("ACC-0001", $"A-{i}")).WaitAsync(s_timeout);
                    }
                }

                var queries = new BrokerageQueries(app);
                // Generous: the application's group join and task start are slow on a loaded machine.
                var wait = TimeSpan.FromSeconds(180);
                var deadline = DateTime.UtcNow + wait;
                while (!(app.State == Engine.StreamsState.Running && Applied(queries) == 4))
                {
                    Assert.True(DateTime.UtcNow < deadline, $"the topology did not apply the 3 trades within {wait} (state {app.State}, {string.Join("; ", app.Errors)})");
                    await Task.Delay(50);
                }

                await app.StopAsync();
            }

            using (var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = fixture.Cluster.BootstrapServers, GroupId = "w" }).Build())
            {
                long end = consumer.QueryWatermarkOffsets(new TopicPartition(options.TradeEventsTopic, partition), s_timeout).High.Value;
                fixture.Cluster.DeleteRecords(options.TradeEventsTopic, partition, end);
            }

            await using var withoutChangelog = await Start(options.TradeEventsTopic, registry);
            Assert.Equal(0, withoutChangelog.LastSequence("ACC-0001")); // what the publisher knew before: "no history"
            await using var after = await Start(options.TradeEventsTopic, registry, TradePublisherOptions.AppliedSequencesTopicOf(applicationId));
            Assert.Equal(3, after.LastSequence("ACC-0001"));
            Assert.Equal(4, (await after.PublishAsync(Trade("ACC-0001", "A-3")).WaitAsync(s_timeout)).SequenceNumber);
        }
        finally
        {
            if (Directory.Exists(stateDirectory))
            {
                Directory.Delete(stateDirectory, recursive: true);
            }
        }

        static long Applied(BrokerageQueries queries)
        {
            try
            {
                return queries.ExpectedSequenceOf("ACC-0001");
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                return 0; // the store is not queryable yet (the task is still starting)
            }
        }
    }

    [Fact]
    public async Task AnAppliedSequencesTopicThatDoesNotExistYetContributesNothing()
    {
        var topic = fixture.NewTopic();
        using var registry = Registry();
        await using var publisher = await Start(topic, registry, TradePublisherOptions.AppliedSequencesTopicOf($"never-ran-{Guid.NewGuid():N}"));

        Assert.Equal(1, (await publisher.PublishAsync(Trade("ACC-0001", "A-1")).WaitAsync(s_timeout)).SequenceNumber);
    }

    /// <summary>Finding 6: a registry that cannot be asked at start is not "no history": the publisher refuses to start.</summary>
    [Fact]
    public async Task ARegistryOutageAtStartFailsLoudlyInsteadOfReadingNoHistory()
    {
        var topic = fixture.NewTopic();
        using (var registry = Registry())
        {
            await using var before = await Start(topic, registry);
            await before.PublishAsync(Trade("ACC-0001", "A-1")).WaitAsync(s_timeout);
        }

        // Nothing listens on port 1: every schema look-up fails as unreachable.
        using var down = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = "http://127.0.0.1:1", RequestTimeoutMs = 2_000, MaxRetries = 0 });

        var error = await Assert.ThrowsAsync<SequenceRecoveryException>(() => Start(topic, down));

        Assert.Contains("schema registry is unavailable", error.Message);
        Assert.Contains(topic, error.Message);
    }

    [Fact]
    public async Task StartingOnAMissingTopicFailsNamingIt()
    {
        using var registry = Registry();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Start("no-such-topic", registry));

        Assert.Contains("'no-such-topic' does not exist", error.Message);
    }

    private Task<TradePublisher> Start(string topic, ISchemaRegistryClient registry, string? appliedSequences = null) =>
        TradePublisher.StartAsync(new TradePublisherOptions
        {
            BootstrapServers = fixture.Cluster.BootstrapServers,
            Topic = topic,
            RecoveryTimeout = TimeSpan.FromSeconds(30),
            AppliedSequencesTopic = appliedSequences,
        }, registry).WaitAsync(s_timeout);

    /// <summary>Writes records to a partition of a changelog as the engine does: the store's key and value bytes.</summary>
    private async Task WriteChangelogAsync(string changelog, int partition, params (string Key, byte[]? Value)[] records)
    {
        using var producer = new ProducerBuilder<byte[], byte[]?>(new ProducerConfig { BootstrapServers = fixture.Cluster.BootstrapServers }).Build();
        foreach (var (key, value) in records)
        {
            await producer.ProduceAsync(new TopicPartition(changelog, partition),
                new Message<byte[], byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = value }).WaitAsync(s_timeout);
        }
    }

    private CachedSchemaRegistryClient Registry() => new(new SchemaRegistryConfig { Url = fixture.Registry.Url });

    private static TradeCreated Trade(string account, string tradeId, string key = "") => new()
    {
        tradeId = tradeId,
        accountId = account,
        instrumentId = "INS-0001",
        quantity = Money.ToAvro(10m),
        price = Money.ToAvro(101.25m),
        currency = "USD",
        side = TradeSide.BUY,
        timestamp = DateTime.UtcNow,
        idempotencyKey = key,
    };

    private List<(long Offset, TradeCreated Trade)> ReadAll(string topic, ISchemaRegistryClient registry, int expected)
    {
        var serde = TradeEventSerdes.ForTradeEvents(registry);
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = fixture.Cluster.BootstrapServers,
            GroupId = $"read-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, 20).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<(long, TradeCreated)>();
        var deadline = DateTime.UtcNow + s_timeout;
        while (records.Count < expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"read {records.Count} of {expected} records within {s_timeout}");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                var value = (TradeCreated)serde.Deserializer.Deserialize(result.Message.Value, false,
                    new SerializationContext(MessageComponentType.Value, topic));
                records.Add((result.Offset.Value, value));
            }
        }

        return records;
    }
}
