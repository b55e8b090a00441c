using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Bench;

/// <summary>
/// Cold-restore throughput (<c>--restore 1</c>): an application with <see cref="BenchOptions.RestoreStores"/> logged
/// stores per task writes its changelogs the way a running application does at low load (commits of
/// <see cref="BenchOptions.RestoreBatch"/> input records each, so every commit writes a few records per changelog
/// partition and the changelogs are made of small record batches), stops, and then, each round, a new instance of the same
/// application with an empty state directory restores every task from the changelogs. Printed per round: changelog
/// records applied, the time from the first store's restore start to the last store's end, records/s, and the time
/// from start to every task running.
/// </summary>
internal static class RestoreBench
{
    public static async Task<int> RunAsync(EmbeddedKafkaCluster cluster, BenchOptions options, string root, string run)
    {
        var input = $"restore-in-{run}";
        var live = $"restore-live-{run}";
        var applicationId = $"restore-bench-{run}";
        var partitions = options.RestorePartitions;
        cluster.CreateTopic(input, partitions, 3);
        cluster.CreateTopic(live, partitions, 3);

        var expected = (long)options.RestoreRecords;
        Console.WriteLine($"restore bench: {partitions} tasks x {options.RestoreStores} logged stores, {expected:N0} input records ({options.Keys:N0} keys) in commits " +
                          $"of {options.RestoreBatch} records, commit interval {options.CommitInterval.TotalMilliseconds:0} ms; " +
                          $"{partitions} stateless tasks on the same thread run during each restore with input at {options.RestoreLiveRate:N0} records/s");

        // Load: a few records, then wait for their commit, and again: every run writes the same number of small commits
        // (the shape of a changelog written at low load, as in the failover bench), however loaded the machine is.
        var load = Stopwatch.StartNew();
        await using (var writer = Build(cluster, options, input, live, applicationId, Path.Combine(root, "writer"), listener: null, loggerFactory: null))
        {
            await writer.StartAsync();
            await WaitRunning(writer, TimeSpan.FromSeconds(60));
            using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 0, EnableIdempotence = true }).Build();
            var random = new Random(42);
            var value = new byte[options.ValueBytes];
            for (long sent = 0; sent < expected;)
            {
                var commits = writer.Metrics.CommitsTotal;
                for (var i = 0; i < options.RestoreBatch && sent < expected; i++, sent++)
                {
                    producer.Produce(input, new Message<string, byte[]> { Key = $"ACC-{random.Next(options.Keys):D5}", Value = value });
                }

                producer.Flush(TimeSpan.FromSeconds(30));
                var deadline = Stopwatch.StartNew();
                while (writer.Metrics.ProcessedTotal < sent || writer.Metrics.CommitsTotal == commits)
                {
                    if (deadline.Elapsed > TimeSpan.FromSeconds(60) || writer.State == StreamsState.Error)
                    {
                        Console.Error.WriteLine($"writer processed {writer.Metrics.ProcessedTotal}/{sent} ({writer.State}: {string.Join("; ", writer.Errors)})");
                        return 1;
                    }

                    await Task.Delay(1);
                }
            }

            Console.WriteLine($"load: {writer.Metrics.ProcessedTotal:N0} records processed, {writer.Metrics.CommitsTotal:N0} commits in {load.Elapsed.TotalSeconds:0.0} s");
            await writer.StopAsync();
        }

        var (changelogEnds, _) = Workload.Watermarks(cluster.BootstrapServers, $"{applicationId}-{Store(0)}-changelog", partitions);
        Console.WriteLine($"changelog {Store(0)}: end offsets sum {changelogEnds:N0} (records, commit markers and transaction control records)");
        using var loggerFactory = options.RestoreLog ? LoggerFactory.Create(b => b.AddProvider(new ConsoleLines()).SetMinimumLevel(LogLevel.Debug)) : null;
        var failed = false;
        for (var round = 1; round <= options.Rounds; round++)
        {
            var listener = new Listener(partitions * options.RestoreStores);
            using var stopLive = new CancellationTokenSource();
            var liveInput = options.RestoreLiveRate > 0
                ? Task.Run(() => Produce(cluster.BootstrapServers, live, options, options.RestoreLiveRate, stopLive.Token))
                : Task.CompletedTask;
            var started = Stopwatch.StartNew();
            await using var reader = Build(cluster, options, input, live, applicationId, Path.Combine(root, $"restore-{round}"), listener, loggerFactory);
            await reader.StartAsync();
            if (!await Task.Run(() => listener.Done.Wait(TimeSpan.FromSeconds(600))))
            {
                Console.WriteLine($"round {round}: restore did not end in 600 s ({listener.Ended} of {listener.Stores} stores, {listener.Records:N0} records)");
                failed = true;
                continue;
            }

            await WaitRunning(reader, TimeSpan.FromSeconds(60));
            var running = started.Elapsed;
            stopLive.Cancel();
            await liveInput;
            var restore = listener.LastEnd - listener.FirstStart;
            Console.WriteLine($"round {round}: restored {listener.Records:N0} changelog records in {restore.TotalSeconds:0.00} s " +
                              $"({listener.Records / Math.Max(restore.TotalSeconds, 0.001):N0} records/s), first restore start {listener.FirstStart.TotalSeconds:0.00} s " +
                              $"after start, every task running {running.TotalSeconds:0.00} s after start");
            await reader.StopAsync();
        }

        return failed ? 1 : 0;
    }

    private static string Store(int i) => $"store-{i}";

    private static StreamsApplication Build(EmbeddedKafkaCluster cluster, BenchOptions options, string input, string live, string applicationId, string stateDirectory,
        IStateRestoreListener? listener, ILoggerFactory? loggerFactory)
    {
        var builder = new StreamsBuilder();
        var stores = Enumerable.Range(0, options.RestoreStores).Select(Store).ToArray();
        foreach (var store in stores)
        {
            builder.AddStateStore(Stores.PersistentKeyValueStore(store, Serdes.String, Serdes.ByteArray));
        }

        builder.Stream(input, Consumed.With(Serdes.String, Serdes.ByteArray))
            .Process(() => new PutEverywhere(stores), stores);
        // Stateless tasks on the same thread that run while the stateful ones restore (the tasks that kept their
        // partitions in a failover): their input comes at --restore-live-rate.
        builder.Stream(live, Consumed.With(Serdes.String, Serdes.ByteArray)).Process(() => new PutEverywhere([]), []);
        var config = new StreamsConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            ApplicationId = applicationId,
            StateDirectory = stateDirectory,
            CommitInterval = options.CommitInterval,
            NumStreamThreads = 1,
            ProcessingGuarantee = ProcessingGuarantee.ExactlyOnceV2,
            TopicProvisioner = cluster.CreateTopicProvisioner(),
            // The host's settings for an embedded cluster (host/README.md).
            TransactionalGroupOffsets = false,
            FetchWaitMax = TimeSpan.FromMilliseconds(options.FetchWaitMaxMs),
            StateRestoreListener = listener,
            // The host's group timing for an embedded cluster: a member joining a stable group waits out the session
            // timeout there, so the default 45 s would be most of each round.
            SessionTimeout = TimeSpan.FromSeconds(2),
            HeartbeatInterval = TimeSpan.FromMilliseconds(400),
        };
        if (options.MinCommitInterval is { } min)
        {
            config = config with { MinCommitInterval = min };
        }

        return new StreamsApplication(builder.Build(), config, loggerFactory);
    }

    private static async Task WaitRunning(StreamsApplication app, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (app.State != StreamsState.Running || app.Health.Tasks.Any(t => t.State != TaskHealthState.Running))
        {
            if (app.State == StreamsState.Error || waited.Elapsed > timeout)
            {
                throw new InvalidOperationException($"not running after {waited.Elapsed.TotalSeconds:0} s: {app.State} {string.Join("; ", app.Errors)}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Paced input at <paramref name="rate"/> records/s in steps of 5 ms, uniform random keys, until the stop.</summary>
    private static async Task Produce(string bootstrap, string topic, BenchOptions options, int rate, CancellationToken stop)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 1, EnableIdempotence = true }).Build();
        var random = new Random(42);
        var value = new byte[options.ValueBytes];
        var clock = Stopwatch.StartNew();
        for (long sent = 0; !stop.IsCancellationRequested; sent++)
        {
            var due = sent * 1000.0 / rate;
            if (clock.Elapsed.TotalMilliseconds < due - 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(due - clock.Elapsed.TotalMilliseconds));
            }

            producer.Produce(topic, new Message<string, byte[]> { Key = $"ACC-{random.Next(options.Keys):D5}", Value = value });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    /// <summary>Puts every record into every store (each store's changelog gets the commit's distinct keys).</summary>
    private sealed class PutEverywhere(string[] stores) : IProcessor<string, byte[], string, byte[]>
    {
        private IKeyValueStore<string, byte[]>[] _stores = [];

        public void Init(IProcessorContext<string, byte[]> context) => _stores = stores.Select(s => context.GetStateStore<string, byte[]>(s)).ToArray();

        public void Process(Record<string, byte[]> record)
        {
            foreach (var store in _stores)
            {
                store.Put(record.Key, record.Value);
            }
        }
    }

    /// <summary>Times the restore: first start to last end, records applied.</summary>
    private sealed class Listener(int stores) : IStateRestoreListener
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentDictionary<(TopicPartition, string), bool> _ended = new();
        private long _records;
        private long _firstStart = -1;
        private long _lastEnd;

        public int Stores => stores;

        public int Ended => _ended.Count;

        public long Records => Interlocked.Read(ref _records);

        public ManualResetEventSlim Done { get; } = new();

        public TimeSpan FirstStart => TimeSpan.FromTicks(Interlocked.Read(ref _firstStart) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);

        public TimeSpan LastEnd => TimeSpan.FromTicks(Interlocked.Read(ref _lastEnd) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);

        public void OnRestoreStart(TopicPartition changelog, string storeName, long startOffset, long endOffset) =>
            Interlocked.CompareExchange(ref _firstStart, _clock.ElapsedTicks, -1);

        public void OnBatchRestored(TopicPartition changelog, string storeName, long batchEndOffset, long numRestored) =>
            Interlocked.Add(ref _records, numRestored);

        public void OnRestoreEnd(TopicPartition changelog, string storeName, long totalRestored)
        {
            Interlocked.Exchange(ref _lastEnd, _clock.ElapsedTicks);
            if (_ended.TryAdd((changelog, storeName), true) && _ended.Count == stores)
            {
                Done.Set();
            }
        }

        public void OnRestoreSuspended(TopicPartition changelog, string storeName, long totalRestored)
        {
        }
    }

    /// <summary>Prints the engine's restore diagnostics (debug level) with a time stamp.</summary>
    private sealed class ConsoleLines : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id is >= 1086 and <= 1089 || logLevel >= LogLevel.Warning)
            {
                Console.WriteLine($"  {DateTime.UtcNow:HH:mm:ss.fff} [{eventId.Id}] {formatter(state, exception)}");
            }
        }
    }
}
