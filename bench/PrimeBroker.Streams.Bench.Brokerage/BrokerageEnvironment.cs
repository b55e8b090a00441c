using System.Diagnostics;
using System.Globalization;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Serialization.Embedded;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// One phase's world: a fresh embedded cluster (librdkafka's mock, <see cref="BrokerageBenchOptions.Brokers"/> brokers, in-process) and embedded schema
/// registry, the topic catalog provisioned, the instruments seeded, and the full prime-broker topology running in a
/// <see cref="StreamsApplication"/> under exactly_once_v2, followed by a <see cref="CommitTracker"/>. A fresh cluster per
/// phase keeps phases independent (the mock holds everything in memory) and every topic starts at offset 0.
/// </summary>
internal sealed class BrokerageEnvironment : IAsyncDisposable
{
    private readonly string _stateDirectory;

    private BrokerageEnvironment(EmbeddedKafkaCluster cluster, EmbeddedSchemaRegistry registry, CachedSchemaRegistryClient client, string stateDirectory,
        InstrumentCatalog instruments)
    {
        Cluster = cluster;
        Registry = registry;
        Client = client;
        _stateDirectory = stateDirectory;
        Instruments = instruments;
    }

    public EmbeddedKafkaCluster Cluster { get; }

    public EmbeddedSchemaRegistry Registry { get; }

    public CachedSchemaRegistryClient Client { get; }

    public InstrumentCatalog Instruments { get; }

    public StreamsApplication App { get; private set; } = null!;

    public CommitTracker Tracker { get; private set; } = null!;

    public string ApplicationId { get; private set; } = "";

    /// <summary>Partitions of trade-events in the catalog.</summary>
    public static int TradePartitions => PrimeBrokerTopics.All.First(t => t.Name == PrimeBrokerTopics.TradeEvents).Partitions;

    public static int PartitionsOf(string topic) => PrimeBrokerTopics.All.First(t => t.Name == topic).Partitions;

    /// <summary>Starts cluster and registry, provisions the catalog and seeds the instruments; the application is not
    /// started yet (<see cref="StartApplicationAsync"/>).</summary>
    public static async Task<BrokerageEnvironment> CreateAsync(BrokerageBenchOptions options)
    {
        var cluster = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { BrokerCount = options.Brokers });
        var registry = await EmbeddedSchemaRegistry.StartAsync();
        var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url });
        var state = Path.Combine(Path.GetTempPath(), "pbs-bench-brokerage-" + Guid.NewGuid().ToString("N")[..8]);
        var environment = new BrokerageEnvironment(cluster, registry, client, state, new InstrumentCatalog(options.Instruments));
        await cluster.CreateTopicProvisioner().EnsureTopicsAsync(PrimeBrokerTopics.All);
        environment.Instruments.Seed(cluster.BootstrapServers, InstrumentCatalog.SerializerFor(client));
        return environment;
    }

    /// <summary>A trade stream over this environment's instruments, serialized with the topology's trade-events serde.</summary>
    public TradeFlow NewFlow(BrokerageBenchOptions options, int seed) =>
        new(options, Instruments, TradePartitions, TradeEventSerdes.ForTradeEvents(Client).Serializer, seed);

    /// <summary>Builds the topology, starts the application and waits until it runs (every task assigned and restored).</summary>
    /// <param name="options">The bench's options.</param>
    /// <param name="commitInterval">The commit policy's maximum.</param>
    /// <param name="fetchWaitMaxMs">fetch.wait.max.ms of the application's consumers.</param>
    /// <param name="minCommitInterval">The commit policy's minimum; null: <see cref="BrokerageBenchOptions.MinCommitMs"/>.</param>
    /// <param name="loggerFactory">The application's logger factory; null: none (the engine logs nothing).</param>
    public async Task StartApplicationAsync(BrokerageBenchOptions options, TimeSpan commitInterval, int? fetchWaitMaxMs, TimeSpan? minCommitInterval = null,
        Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var brokerage = new BrokerageOptions();
        brokerage.Validate();
        var topology = BrokerageTopology.Build(brokerage, Client);
        ApplicationId = "pb-bench-" + Guid.NewGuid().ToString("N")[..6];
        Tracker = new CommitTracker(ApplicationId, TradeSubTopology(topology), TradePartitions);
        var config = new StreamsConfig
        {
            ApplicationId = ApplicationId,
            BootstrapServers = Cluster.BootstrapServers,
            StateDirectory = _stateDirectory,
            NumStreamThreads = options.Threads,
            CommitInterval = commitInterval,
            ProcessingGuarantee = ProcessingGuarantee.ExactlyOnceV2,
            TopicProvisioner = Cluster.CreateTopicProvisioner(),
            MinCommitInterval = minCommitInterval ?? TimeSpan.FromMilliseconds(options.MinCommitMs),
            // The host's settings for an embedded cluster (host/README.md, "Latency settings per cluster kind").
            FetchWaitMax = fetchWaitMaxMs is { } wait ? TimeSpan.FromMilliseconds(wait) : null,
            TransactionalGroupOffsets = false,
        };
        App = new StreamsApplication(topology, config, loggerFactory);
        await App.StartAsync();
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 120;
        while (App.State != StreamsState.Running)
        {
            ThrowIfFailed();
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the application did not reach Running within 120 s (state {App.State}).");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Throws with the application's errors if it is in state Error.</summary>
    public void ThrowIfFailed()
    {
        if (App.State == StreamsState.Error)
        {
            throw new InvalidOperationException("the application failed: " + string.Join("; ", App.Errors));
        }
    }

    /// <summary>Waits until the commits cover <paramref name="records"/>[p] records of every trade-events partition;
    /// fails when the commits stop advancing for <paramref name="stall"/>.</summary>
    public void WaitUntilCommitted(IReadOnlyList<int> records, TimeSpan stall)
    {
        long lastCovered = -1;
        var lastProgress = Stopwatch.GetTimestamp();
        while (true)
        {
            var committed = Tracker.CommittedPerPartition();
            if (Enumerable.Range(0, records.Count).All(p => committed[p] >= records[p]))
            {
                return;
            }

            ThrowIfFailed();
            var covered = committed.Sum();
            if (covered != lastCovered)
            {
                lastCovered = covered;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > stall)
            {
                throw new TimeoutException($"commits cover {covered:N0} of {records.Sum():N0} trade-events records and did not advance for {stall.TotalSeconds:0} s.");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>The sub-topology whose source reads trade-events, from the topology's description.</summary>
    internal static int TradeSubTopology(Topology topology)
    {
        int? current = null;
        foreach (var line in topology.Describe().Split('\n'))
        {
            var text = line.Trim();
            if (text.StartsWith("Sub-topology:", StringComparison.Ordinal))
            {
                current = int.Parse(text["Sub-topology:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
            else if (current is { } id && text.StartsWith("Source:", StringComparison.Ordinal) && text.Contains("(topics: [", StringComparison.Ordinal))
            {
                var topics = text[(text.IndexOf("(topics: [", StringComparison.Ordinal) + 10)..].TrimEnd(')', ']').Split(", ");
                if (topics.Contains(PrimeBrokerTopics.TradeEvents))
                {
                    return id;
                }
            }
        }

        throw new InvalidOperationException("no sub-topology of the prime-broker topology reads trade-events:\n" + topology.Describe());
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        Tracker?.Dispose();
        Client.Dispose();
        await Registry.DisposeAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
