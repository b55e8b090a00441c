using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Embedded;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Support;

/// <summary>The stateful per-key count topology the runtime tests run (the same as the CountApp child process), with
/// helpers to start instances on an embedded cluster and to check their counts.</summary>
internal sealed class CountScenario : IAsyncDisposable
{
    public const string Store = "counts";
    private readonly List<StreamsApplication> _apps = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pbs-it-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<string, long> _expected = new();
    private readonly object _produceLock = new();
    private IProducer<string, string>? _producer;

    /// <summary>What the in-process instances logged; <see cref="Describe"/> shows the tail.</summary>
    public CapturingLoggerFactory Logs { get; } = new();

    public CountScenario(int partitions = 4, EmbeddedKafkaClusterOptions? options = null)
    {
        Cluster = EmbeddedKafkaCluster.Start(options);
        ApplicationId = ClusterProbe.UniqueTopic("count-app");
        Input = ClusterProbe.UniqueTopic("input");
        Output = ClusterProbe.UniqueTopic("output");
        Partitions = partitions;
        Cluster.CreateTopic(Input, partitions, 3);
        Cluster.CreateTopic(Output, partitions, 3);
    }

    public EmbeddedKafkaCluster Cluster { get; }

    public string ApplicationId { get; }

    public string Input { get; }

    public string Output { get; }

    public int Partitions { get; }

    public string ChangelogTopic => $"{ApplicationId}-{Store}-changelog";

    public IReadOnlyDictionary<string, long> Expected => _expected;

    public long ExpectedTotal => _expected.Values.Sum();

    public static Topology BuildTopology(string input, string output, OffsetResetPolicy policy = OffsetResetPolicy.EarliestThenFail)
    {
        var builder = new StreamsBuilder();
        builder.Stream(input, Consumed.With(Serdes.String, Serdes.String) with { ResetPolicy = policy })
            .GroupByKey()
            .Count(Materialized<string, long>.As(Store))
            .ToStream()
            .To(output, Produced<string, long>.With(Serdes.String, Serdes.Int64));
        return builder.Build();
    }

    public string StateDir(string instance) => Path.Combine(_root, instance);

    public StreamsConfig Config(string instance) => new()
    {
        BootstrapServers = Cluster.BootstrapServers,
        ApplicationId = ApplicationId,
        StateDirectory = StateDir(instance),
        SessionTimeout = TimeSpan.FromSeconds(2),
        HeartbeatInterval = TimeSpan.FromMilliseconds(400),
        CommitInterval = TimeSpan.FromMilliseconds(50),
        StallTimeout = TimeSpan.FromSeconds(5),
        TopicProvisioner = Cluster.CreateTopicProvisioner(),
    };

    public async Task<StreamsApplication> StartAsync(string instance, OffsetResetPolicy policy = OffsetResetPolicy.EarliestThenFail, Func<StreamsConfig, StreamsConfig>? tune = null)
    {
        var config = Config(instance);
        var app = new StreamsApplication(BuildTopology(Input, Output, policy), tune?.Invoke(config) ?? config, Logs);
        _apps.Add(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>Starts an instance that runs <paramref name="topology"/> instead of the count topology.</summary>
    public async Task<StreamsApplication> StartAsync(string instance, Topology topology, Func<StreamsConfig, StreamsConfig>? tune = null)
    {
        var config = Config(instance);
        var app = new StreamsApplication(topology, tune?.Invoke(config) ?? config, Logs);
        _apps.Add(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>Produces <paramref name="count"/> records spread over <paramref name="keys"/> keys and records what the
    /// counts must become.</summary>
    public void Produce(int count, int keys = 20, int offset = 0)
    {
        var records = Enumerable.Range(offset, count).Select(i => ($"ACC-{i % keys:D4}", $"trade-{i}")).ToList();
        lock (_produceLock)
        {
            _producer ??= new ProducerBuilder<string, string>(new ProducerConfig
            {
                BootstrapServers = Cluster.BootstrapServers,
                EnableIdempotence = true,
                LingerMs = 5,
                Partitioner = Partitioner.Murmur2Random,
            }).Build();
            var pending = records.Select(r => _producer.ProduceAsync(Input, new Message<string, string> { Key = r.Item1, Value = r.Item2 })).ToArray();
            if (!Task.WaitAll(pending, ClusterProbe.Timeout))
            {
                throw new TimeoutException($"{count} records to '{Input}' were not acknowledged within {ClusterProbe.Timeout.TotalSeconds} s.");
            }

            foreach (var (key, _) in records)
            {
                _expected[key] = _expected.GetValueOrDefault(key) + 1;
            }
        }
    }

    /// <summary>Counts as the given instances hold them (each key lives in one task on one instance).</summary>
    public static Dictionary<string, long> Counts(params StreamsApplication[] apps)
    {
        var counts = new Dictionary<string, long>();
        foreach (var app in apps)
        {
            foreach (var (key, value) in app.Store<string, long>(Store).All())
            {
                counts[key] = counts.GetValueOrDefault(key) + value;
            }
        }

        return counts;
    }

    public bool CountsMatch(params StreamsApplication[] apps)
    {
        var counts = Counts(apps);
        return counts.Count == _expected.Count && _expected.All(e => counts.GetValueOrDefault(e.Key) == e.Value);
    }

    public string Describe(params StreamsApplication[] apps)
    {
        Dictionary<string, long> counts;
        try
        {
            counts = Counts(apps);
        }
        catch (PrimeBroker.Streams.Engine.Errors.StoreUnavailableException ex)
        {
            return $"store unavailable: {ex.Message}; states [{string.Join(", ", apps.Select(a => a.State))}]; errors [{string.Join(" | ", apps.SelectMany(a => a.Errors))}]\nengine log:\n{Logs.Recent()}";
        }

        var wrong = _expected.Where(e => counts.GetValueOrDefault(e.Key) != e.Value).Take(5)
            .Select(e => $"{e.Key}: expected {e.Value}, got {counts.GetValueOrDefault(e.Key)}");
        return $"total expected {ExpectedTotal}, got {counts.Values.Sum()}; states [{string.Join(", ", apps.Select(a => a.State))}]; " +
               $"tasks [{string.Join(" / ", apps.Select(a => string.Join(",", a.ActiveTasks)))}]; errors [{string.Join(" | ", apps.SelectMany(a => a.Errors))}]; " +
               $"first wrong: {string.Join("; ", wrong)}\nhealth: {string.Join(" | ", apps.Select(a => $"{a.Health.Status}: {string.Join("; ", a.Health.Problems)}"))}\nengine log:\n{Logs.Recent()}";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        _producer?.Dispose();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
