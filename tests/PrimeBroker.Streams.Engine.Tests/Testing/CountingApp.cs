using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Testing;

/// <summary>
/// A driver over a counting topology plus the exact counts the test expects, so crash tests read as "pipe, commit,
/// crash, check". Keys are "key-0".."key-{keys-1}"; every piped record adds 1 to its key's count and its value to the sum.
/// </summary>
internal sealed class CountingApp : IDisposable
{
    public const string InputTopic = "in";
    public const string OutputTopic = "out";

    private readonly TestInputTopic<string, long> _input;

    private CountingApp(Topology topology, TopologyTestDriverOptions options, IReadOnlyList<string> stores)
    {
        Driver = new TopologyTestDriver(topology, options);
        _input = Driver.CreateInputTopic(InputTopic, Serdes.String, Serdes.Int64);
        StoreNames = stores;
    }

    public TopologyTestDriver Driver { get; }

    public IReadOnlyList<string> StoreNames { get; }

    public Dictionary<string, long> ExpectedCounts { get; } = new();

    public Dictionary<string, long> ExpectedSums { get; } = new();

    /// <summary>source → GroupByKey → Count("counts") → ToStream → "out".</summary>
    /// <param name="kafkaTransaction">Run the engine's real transaction wrapper over in-memory producers.</param>
    public static CountingApp DslCount(bool emulateEmbeddedCluster, int partitions = 2, string? stateDirectory = null, bool kafkaTransaction = false)
    {
        var builder = new StreamsBuilder();
        builder.Stream(InputTopic, Consumed<string, long>.With(Serdes.String, Serdes.Int64))
            .GroupByKey()
            .Count(Materialized<string, long>.As("counts"))
            .ToStream()
            .To(OutputTopic, Produced<string, long>.With(Serdes.String, Serdes.Int64));
        return new CountingApp(builder.Build(), Options(emulateEmbeddedCluster, partitions, stateDirectory) with { UseKafkaTransaction = kafkaTransaction }, ["counts"]);
    }

    /// <summary>One processor with two logged stores in one task: "counts" (primary) and "sums" (secondary). A record
    /// of value 0, or any record while <see cref="SumsEnabled"/> is off, leaves "sums" unwritten.</summary>
    public static CountingApp CountAndSum(bool emulateEmbeddedCluster, int partitions = 2, bool kafkaTransaction = false, string? stateDirectory = null)
    {
        CountingApp? app = null;
        var builder = new StreamsBuilder();
        builder.AddStateStore(Stores.PersistentKeyValueStore("counts", Serdes.String, Serdes.Int64));
        builder.AddStateStore(Stores.PersistentKeyValueStore("sums", Serdes.String, Serdes.Int64));
        builder.Stream(InputTopic, Consumed<string, long>.With(Serdes.String, Serdes.Int64))
            .ProcessValues(() => new CountAndSumProcessor("counts", "sums", () => app!.SumsEnabled), ["counts", "sums"])
            .To(OutputTopic, Produced<string, long>.With(Serdes.String, Serdes.Int64));
        app = new CountingApp(builder.Build(), Options(emulateEmbeddedCluster, partitions, stateDirectory) with { UseKafkaTransaction = kafkaTransaction }, ["counts", "sums"]);
        return app;
    }

    /// <summary>Whether the count-and-sum processor writes "sums" (records processed while off add nothing to it); a
    /// test that turns it off while records are reprocessed corrects <see cref="ExpectedSums"/> itself.</summary>
    public bool SumsEnabled { get; set; } = true;

    public void Pipe(string key, long value = 1)
    {
        _input.PipeInput(key, value);
        ExpectedCounts[key] = ExpectedCounts.GetValueOrDefault(key) + 1;
        if (value != 0 && SumsEnabled)
        {
            ExpectedSums[key] = ExpectedSums.GetValueOrDefault(key) + value;
        }

    }

    /// <summary>Pipes <paramref name="count"/> records round-robin over <paramref name="keys"/> keys, committing every
    /// <paramref name="commitEvery"/> records (0: never).</summary>
    public void PipeMany(int count, int keys, int commitEvery = 0, int firstValue = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Pipe($"key-{i % keys}", firstValue + i);
            if (commitEvery > 0 && (i + 1) % commitEvery == 0)
            {
                Driver.Commit();
            }
        }
    }

    /// <summary>The store contents (committed plus the open transaction) as a sorted map.</summary>
    public SortedDictionary<string, long> Actual(string store) =>
        new(Driver.GetKeyValueStore<string, long>(store).All().ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal);

    public void AssertExact()
    {
        Assert.Equal(new SortedDictionary<string, long>(ExpectedCounts, StringComparer.Ordinal), Actual("counts"));
        if (StoreNames.Contains("sums"))
        {
            Assert.Equal(new SortedDictionary<string, long>(ExpectedSums, StringComparer.Ordinal), Actual("sums"));
        }
    }

    public void Dispose() => Driver.Dispose();

    private static TopologyTestDriverOptions Options(bool emulate, int partitions, string? stateDirectory) => new()
    {
        AutoCommit = false,
        DefaultPartitions = partitions,
        EmulateEmbeddedClusterLimits = emulate,
        StateDirectory = stateDirectory,
    };
}
