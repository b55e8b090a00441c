using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Embedded;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.Processors.Public;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.State;
using Streamiz.Kafka.Net.Stream;

namespace PrimeBroker.Streams.Bench;

/// <summary>
/// Contender (c): Streamiz.Kafka.Net 1.8.2, the established .NET port of Kafka Streams, running the same stateful
/// passthrough as the engine: <c>Stream(in).TransformValues(last-seen).To(out)</c>, one Get and one Put per record on a
/// persistent (RocksDB) key-value store with a changelog, EXACTLY_ONCE with its default 100 ms commit interval, one
/// stream thread, and the consumer tuning the engine uses.
/// </summary>
internal static class StreamizStatefulPassthrough
{
    public const string Store = "last-seen";

    /// <summary>Streamiz logs at Information to the console by default; the bench shows only its warnings and errors.</summary>
    private static readonly ILoggerFactory s_quietLogger = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true));

    /// <summary>Streamiz's name for the store's changelog topic.</summary>
    public static string Changelog(string applicationId) => $"{applicationId}-{Store}-changelog";

    public static async Task<RunResult> RunAsync(EmbeddedKafkaCluster cluster, string input, string output, int partitions, string applicationId,
        string stateDirectory, TimeSpan commitInterval, bool caching, long expected, RunProbe probe, int? fetchWaitMaxMs = null, Action? onRunning = null)
    {
        // Streamiz creates missing internal topics with the Admin API's CreateTopics, which the embedded cluster does not
        // serve (its start fails after retrying); an existing topic with the right partition count is accepted as is.
        cluster.CreateTopic(Changelog(applicationId), partitions, 3);
        var counters = new StreamizCounters(probe);
        var config = Config(cluster.BootstrapServers, applicationId, stateDirectory, commitInterval, fetchWaitMaxMs);
        long flushes = 0;
        double flushMs = 0;
        var supplier = new TimedClientSupplier(config, caching, commit =>
        {
            if (probe.EndTicks == 0)
            {
                flushes += commit.Flushes;
                flushMs += commit.FlushMs;
            }

            probe.OnCommitted(commit.DurationMs, counters.Processed >= expected);
        });
        var stream = new KafkaStream(Topology(input, output, caching, counters), config, supplier);
        var state = new StreamizStateLog(stream);
        try
        {
            await stream.StartAsync();
            if (onRunning is not null)
            {
                // RUNNING alone does not mean the tasks exist (see bench/README.md): wait until every task's transformer is initialised.
                await Task.Run(() => WaitFor(() => counters.Initialised >= partitions, state, TimeSpan.FromSeconds(60), "all tasks initialised"));
                onRunning();
            }

            await Task.Run(() => probe.WaitForEnd(TimeSpan.FromSeconds(120), state.Failed));
            var processed = counters.Processed;
            var aborts = supplier.Aborts;
            stream.Dispose();
            var memtableFlushes = MemtableFlushes(Path.Combine(stateDirectory, applicationId));
            var (outHigh, _) = Workload.Watermarks(cluster.BootstrapServers, output, partitions);
            var (inHigh, inLow) = Workload.Watermarks(cluster.BootstrapServers, input, partitions);
            var (changelogHigh, _) = Workload.Watermarks(cluster.BootstrapServers, Changelog(applicationId), partitions);
            var ok = processed == expected && aborts == 0 && outHigh >= expected && inLow == 0 && inHigh == expected;
            return new RunResult("c Streamiz stateful EOS", processed, probe.Elapsed, probe.Commits, probe.MeanCommitMs, probe.P99CommitMs, ok,
                $"processed {processed}/{expected}, aborts {aborts}, commits {probe.Commits} with {(double)flushes / Math.Max(1, probe.Commits):0.0} producer flushes " +
                $"taking {flushMs / Math.Max(1, probe.Commits):0.0} ms per commit, {memtableFlushes} RocksDB memtable flushes (stores' LOG files), " +
                $"changelog end offsets sum {changelogHigh}, output end offsets sum {outHigh}, " +
                $"input low watermarks min {inLow}, input end offsets sum {inHigh}")
            {
                Latency = probe.LatencySummary,
            };
        }
        finally
        {
            stream.Dispose(); // a second Dispose is a no-op
        }
    }

    /// <summary>
    /// The configuration of every Streamiz run in this bench. <paramref name="autoOffsetReset"/> null leaves Streamiz's
    /// (librdkafka's) default in place, which the behaviour checks need.
    /// </summary>
    public static StreamConfig<StringSerDes, ByteArraySerDes> Config(string bootstrap, string applicationId, string stateDirectory, TimeSpan commitInterval,
        int? fetchWaitMaxMs, AutoOffsetReset? autoOffsetReset = AutoOffsetReset.Earliest)
    {
        var config = new StreamConfig<StringSerDes, ByteArraySerDes>
        {
            ApplicationId = applicationId,
            BootstrapServers = bootstrap,
            // Setting the guarantee also sets read_committed, idempotence and the 100 ms commit interval; set it first.
            Guarantee = ProcessingGuarantee.EXACTLY_ONCE,
            NumStreamThreads = 1,
            StateDir = stateDirectory,
            // The engine's consumer tuning and producer settings (linger 5 ms, murmur2 is Streamiz's default too).
            FetchMaxBytes = 50 * 1024 * 1024,
            MaxPartitionFetchBytes = 10 * 1024 * 1024,
            QueuedMinMessages = 100_000,
            FetchWaitMaxMs = fetchWaitMaxMs,
            LingerMs = 5,
            Partitioner = Partitioner.Murmur2Random,
            Logger = s_quietLogger,
        };
        config.CommitIntervalMs = (long)commitInterval.TotalMilliseconds;
        if (autoOffsetReset is { } reset)
        {
            config.AutoOffsetReset = reset;
        }

        return config;
    }

    /// <summary><c>Stream(in).TransformValues(last-seen).To(out)</c> with the store built as the bench needs it.</summary>
    public static Topology Topology(string input, string output, bool caching, StreamizCounters counters)
    {
        var store = Stores.KeyValueStoreBuilder(Stores.PersistentKeyValueStore(Store), new StringSerDes(), new ByteArraySerDes())
            .WithLoggingEnabled(new Dictionary<string, string>());
        if (caching)
        {
            store = store.WithCachingEnabled();
        }

        var builder = new StreamBuilder();
        builder.Stream<string, byte[]>(input)
            .TransformValues(TransformerBuilder.New<string, byte[], string, byte[]>()
                .Transformer<LastSeenTransformer>(counters)
                .StateStore(store)
                .Build())
            .To(output);
        return builder.Build();
    }

    /// <summary>
    /// Memtable flushes RocksDB logged for the run's stores (<c>"event": "flush_started"</c> lines in each store's LOG
    /// file): how often the stores were flushed to disk, which a commit of Streamiz's may ask for.
    /// </summary>
    public static int MemtableFlushes(string applicationStateDirectory)
    {
        if (!Directory.Exists(applicationStateDirectory))
        {
            return 0;
        }

        return Directory.EnumerateFiles(applicationStateDirectory, "LOG*", SearchOption.AllDirectories)
            .Sum(file => File.ReadLines(file).Count(line => line.Contains("\"event\": \"flush_started\"", StringComparison.Ordinal)));
    }

    /// <summary>Throws when Streamiz reports ERROR; otherwise waits (bounded) for <paramref name="condition"/>.</summary>
    public static void WaitFor(Func<bool> condition, StreamizStateLog state, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (state.Failed() is { } reason)
            {
                throw new InvalidOperationException(reason);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Streamiz: not {what} within {timeout.TotalSeconds:0} s (state {state.Current}).");
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// One Get and one Put of the record per record, then the value passes on unchanged. Streamiz creates one instance
    /// per task through its constructor with parameters (hence the public parameterless one it also requires).
    /// </summary>
    private sealed class LastSeenTransformer : ITransformer<string, byte[], string, byte[]>
    {
        private readonly StreamizCounters _counters;
        private IKeyValueStore<string, byte[]> _store = null!;

        public LastSeenTransformer() => _counters = new StreamizCounters(null);

        public LastSeenTransformer(StreamizCounters counters) => _counters = counters;

        public void Init(ProcessorContext<string, byte[]> context)
        {
            _store = (IKeyValueStore<string, byte[]>)context.GetStateStore(Store);
            _counters.OnInit();
        }

        public Record<string, byte[]> Process(Record<string, byte[]> record)
        {
            _counters.OnRecord(record.Timestamp.UnixTimestampMs);
            if (_store.Get(record.Key) is not null)
            {
                _counters.Hits++;
            }

            _store.Put(record.Key, record.Value);
            return record;
        }

        public void Close()
        {
        }
    }
}

/// <summary>
/// What Streamiz's transformers report to the bench: tasks initialised, records processed (user code reached), store
/// hits. Written by the one stream thread; read by others through volatile reads.
/// </summary>
internal sealed class StreamizCounters(RunProbe? probe)
{
    private long _processed;
    private int _initialised;

    public long Processed => Volatile.Read(ref _processed);

    public int Initialised => Volatile.Read(ref _initialised);

    public long Hits { get; set; }

    public void OnInit() => Interlocked.Increment(ref _initialised);

    public void OnRecord(long timestampMs)
    {
        probe?.OnRecord(timestampMs);
        Interlocked.Increment(ref _processed);
    }
}

/// <summary>Streamiz's state transitions as its <c>StateChanged</c> event reports them, with the time each was seen.</summary>
internal sealed class StreamizStateLog
{
    private readonly object _gate = new();
    private readonly List<(KafkaStream.State State, DateTime At)> _transitions = new();

    public StreamizStateLog(KafkaStream stream) => stream.StateChanged += (_, now) =>
    {
        lock (_gate)
        {
            _transitions.Add((now, DateTime.UtcNow));
        }
    };

    public KafkaStream.State? Current
    {
        get
        {
            lock (_gate)
            {
                return _transitions.Count == 0 ? null : _transitions[^1].State;
            }
        }
    }

    /// <summary>When Streamiz first reported <paramref name="state"/>; null if it never did.</summary>
    public DateTime? FirstAt(KafkaStream.State state)
    {
        lock (_gate)
        {
            return _transitions.FirstOrDefault(t => t.State == state).At is var at && at != default ? at : null;
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return string.Join(" -> ", _transitions.Select(t => t.State.ToString()));
        }
    }

    /// <summary>A reason when Streamiz reported ERROR or stopped, otherwise null.</summary>
    public string? Failed()
    {
        var current = Current;
        return current == KafkaStream.State.ERROR || current == KafkaStream.State.NOT_RUNNING ? $"Streamiz stopped: states {this}" : null;
    }
}
