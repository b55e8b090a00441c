using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Embedded;

namespace PrimeBroker.Streams.App.Tests.Commands;

/// <summary><c>generate</c> and <c>topics</c> run in this process through the command line's own code path
/// (<see cref="HostCommandLine.RunAsync"/>), against an in-process <c>dev-cluster</c>.</summary>
public sealed class GenerateAndTopicsCommandTests(DevClusterFixture cluster) : IClassFixture<DevClusterFixture>
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task GenerateSendsTheCountWithEveryKindOfRecordAndNumbersEachAccountWithoutHoles()
    {
        var (exitCode, output, error) = await cluster.RunAsync(s_commandTimeout, "generate", "--count", "400", "--rate", "2000",
            "--accounts", "4", "--instruments", "3", "--seed", "11", "--duplicate-ratio", "0.1", "--resend-ratio", "0.05",
            "--reorder-ratio", "0.05", "--invalid-ratio", "0.05", "--Generator:PriceUpdateInterval", "00:00:00");

        Assert.True(exitCode == HostCommandLine.Success, $"exit {exitCode}: {error}\n{output}");
        var done = output.Split('\n').Single(l => l.StartsWith("done:", StringComparison.Ordinal));
        var counts = Counts(done);
        Assert.Equal(400, counts["sent"]);
        Assert.Equal(counts["sent"], counts["new"] + counts["duplicates"] + counts["resends"] + counts["reordered"] + counts["invalid"]);
        Assert.All(new[] { "duplicates", "resends", "reordered", "invalid" }, kind => Assert.True(counts[kind] > 0, $"no {kind} in: {done}"));
        Assert.Equal(0, counts["failed"]);

        // What landed on trade-events: every record sent, and per account the numbers 1..max with none left out (a
        // number reserved and never written would hold the account behind a gap forever).
        var records = ReadTradeEvents(cluster.Info.BootstrapServers, cluster.Info.SchemaRegistryUrl!);
        Assert.Equal(400, records.Count);
        Assert.Equal(4, records.Select(r => r.Account).Distinct().Count());
        foreach (var account in records.GroupBy(r => r.Account))
        {
            var numbers = account.Select(r => r.Sequence).ToHashSet();
            Assert.True(numbers.SetEquals(Enumerable.Range(1, (int)numbers.Max()).Select(n => (long)n)),
                $"{account.Key}: numbers {string.Join(",", numbers.Order())} are not 1..{numbers.Max()}");
            Assert.True(account.Count() > numbers.Count, $"{account.Key}: no resend or duplicate repeated a number or key");
        }

        Assert.Contains(records, r => r.Instrument == Generation.InstrumentCatalog.UnknownInstrument || r.Quantity <= 0 || r.Currency.Length != 3);
    }

    [Fact]
    public async Task GenerateRejectsInvalidSettingsNamingThem()
    {
        var (exitCode, _, error) = await cluster.RunAsync(s_commandTimeout, "generate", "--rate", "0", "--accounts", "0");

        Assert.Equal(HostCommandLine.Failure, exitCode);
        Assert.Contains("Rate", error);
        Assert.Contains("Accounts", error);
    }

    [Fact]
    public async Task TopicsVerifiesTheProvisionedCatalogAndProvisioningAgainChangesNothing()
    {
        var verify = await cluster.RunAsync(s_commandTimeout, "topics", "--verify");
        Assert.True(verify.ExitCode == HostCommandLine.Success, verify.Error);
        var lines = verify.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(PrimeBrokerTopics.All.Count, lines.Length);
        Assert.All(PrimeBrokerTopics.All, spec => Assert.Contains(lines, l => l.StartsWith("ok", StringComparison.Ordinal) &&
            l.Contains($" {spec.Name} ", StringComparison.Ordinal) && l.Contains($"expected {spec.Partitions} partitions, found {spec.Partitions}", StringComparison.Ordinal)));

        var provision = await cluster.RunAsync(s_commandTimeout, "topics");
        Assert.True(provision.ExitCode == HostCommandLine.Success, provision.Error);
        Assert.Equal(verify.Output, provision.Output);
    }

    [Fact]
    public async Task TopicsVerifyOnAClusterWithoutTheCatalogFailsNamingEveryMissingAndMismatchedTopic()
    {
        await using var bare = EmbeddedKafkaCluster.Start();
        bare.CreateTopic(PrimeBrokerTopics.TradeEvents, partitions: 4, replicationFactor: 3);
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(["topics", "--verify", "--bootstrap-servers", bare.BootstrapServers, "--dev-cluster-file", Probe.TempFile()],
            output, error).WaitAsync(s_commandTimeout);

        Assert.Equal(HostCommandLine.Failure, exitCode);
        Assert.Contains($"MISMATCH  {PrimeBrokerTopics.TradeEvents,-20} expected 20 partitions, found 4", output.ToString());
        foreach (var spec in PrimeBrokerTopics.All.Where(s => s.Name != PrimeBrokerTopics.TradeEvents))
        {
            Assert.Contains($"MISMATCH  {spec.Name,-20} expected {spec.Partitions} partitions, missing", output.ToString());
        }

        Assert.Contains($"{PrimeBrokerTopics.All.Count} catalog topics are missing or have another partition count", error.ToString());
    }

    private static Dictionary<string, long> Counts(string line) =>
        // "done: sent 400 (123.4/s) new 300 duplicates 40 ..." -> name/number pairs
        line.Replace("done:", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(t => !t.StartsWith('('))
            .Chunk(2).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));

    private sealed record TradeRecord(string Account, long Sequence, string Instrument, decimal Quantity, string Currency);

    /// <summary>Every record of trade-events, decoded with the topology's serde (operator commands and undecodable
    /// records fail the test: the generator writes neither).</summary>
    private static List<TradeRecord> ReadTradeEvents(string bootstrapServers, string registryUrl)
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registryUrl });
        var serde = TradeEventSerdes.ForTradeEvents(registry);
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"generate-test-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        var partitions = Enumerable.Range(0, PrimeBrokerTopics.All.Single(t => t.Name == PrimeBrokerTopics.TradeEvents).Partitions)
            .Select(p => new TopicPartition(PrimeBrokerTopics.TradeEvents, p)).ToList();
        var open = partitions.Where(p => consumer.QueryWatermarkOffsets(p, Probe.Timeout).High.Value > 0).Select(p => p.Partition.Value).ToHashSet();
        consumer.Assign(partitions.Where(p => open.Contains(p.Partition.Value)).Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var records = new List<TradeRecord>();
        var deadline = DateTime.UtcNow + Probe.Timeout;
        while (open.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"trade-events not read to the end in time ({open.Count} partitions left)");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                open.Remove(result.Partition.Value);
                continue;
            }

            var record = (ISpecificRecord)serde.Deserializer.Deserialize(result.Message.Value, false,
                new SerializationContext(MessageComponentType.Value, result.Topic, result.Message.Headers));
            var created = Assert.IsType<TradeCreated>(record);
            Assert.Equal(result.Message.Key, created.accountId);
            records.Add(new TradeRecord(created.accountId, created.sequenceNumber, created.instrumentId, Money.FromAvro(created.quantity), created.currency));
        }

        return records;
    }
}
