using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Embedded;
using Streamiz.Kafka.Net;

namespace PrimeBroker.Streams.Bench;

/// <summary>
/// What a Streamiz user meets on the embedded cluster, observed rather than assumed (<c>--check-streamiz 1</c>). Each
/// check runs the bench's Streamiz topology on fresh topics and prints what it saw; bench/README.md quotes the output.
/// The observation windows are bounded waits (60 s, 120 s for check 1), not assertions about speed.
/// </summary>
internal static class StreamizChecks
{
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(EmbeddedKafkaCluster cluster, BenchOptions options, Workload workload, string root, string run)
    {
        var partitions = options.Partitions;
        Console.WriteLine("Streamiz.Kafka.Net behaviour checks on the embedded cluster");
        Console.WriteLine();
        await ClusterTransactions(cluster, workload, run);
        await InternalTopics(cluster, partitions, workload, root, run);
        await OffsetReset(cluster, partitions, workload, root, run);
        await RunningBeforeRestore(cluster, partitions, workload, root, run);
        await RestartReprocesses(cluster, partitions, workload, root, run, sessionTimeoutMs: null);
        await RestartReprocesses(cluster, partitions, workload, root, run, sessionTimeoutMs: 10_000);
        return 0;
    }

    /// <summary>What the embedded cluster does with transactions, which the checks below depend on.</summary>
    private static Task ClusterTransactions(EmbeddedKafkaCluster cluster, Workload workload, string run)
    {
        Console.WriteLine("0. The embedded cluster: a transactional producer writes 100 records and leaves the transaction open; another commits a transaction " +
                          "with SendOffsetsToTransaction for a group");
        var topic = $"check-{run}-txn";
        cluster.CreateTopic(topic, 1, 3);
        var config = Workload.ProducerConfig(cluster.BootstrapServers);
        config.TransactionalId = topic + "-open";
        using var open = new ProducerBuilder<byte[], byte[]>(config).Build();
        open.InitTransactions(TimeSpan.FromSeconds(30));
        open.BeginTransaction();
        var random = new Random(1);
        for (var i = 0; i < 100; i++)
        {
            open.Produce(topic, workload.Next(random, i, Timestamp.Default));
        }

        open.Flush(TimeSpan.FromSeconds(30));
        using var reader = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = topic + "-reader",
            IsolationLevel = IsolationLevel.ReadCommitted,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        reader.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var seen = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (seen < 100 && DateTime.UtcNow < deadline)
        {
            if (reader.Consume(TimeSpan.FromMilliseconds(200)) is not null)
            {
                seen++;
            }
        }

        open.AbortTransaction(TimeSpan.FromSeconds(30));
        config.TransactionalId = topic + "-offsets";
        using var committer = new ProducerBuilder<byte[], byte[]>(config).Build();
        committer.InitTransactions(TimeSpan.FromSeconds(30));
        committer.BeginTransaction();
        var group = topic + "-group";
        using var member = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = group }).Build();
        committer.SendOffsetsToTransaction([new TopicPartitionOffset(topic, 0, 50)], member.ConsumerGroupMetadata, TimeSpan.FromSeconds(30));
        committer.CommitTransaction(TimeSpan.FromSeconds(30));
        var stored = CommittedOffsets(cluster.BootstrapServers, group, topic, 1);
        Console.WriteLine($"   a read_committed consumer from the start saw {seen} of the 100 records of the open transaction " +
                          $"(within 10 s); offsets of the committed transaction stored for the group: {stored} of 1 partition");
        Console.WriteLine();
        return Task.CompletedTask;
    }

    /// <summary>Without the changelog created beforehand: what Streamiz does and logs (waits up to 120 s).</summary>
    private static async Task InternalTopics(EmbeddedKafkaCluster cluster, int partitions, Workload workload, string root, string run)
    {
        Console.WriteLine("1. Internal topics: start with the changelog NOT created beforehand (input holds 1,000 records)");
        var (input, output, id) = Topics(cluster, run, "topics", partitions);
        workload.Preload(cluster.BootstrapServers, input, 1_000);
        var logs = new CapturingLoggerProvider();
        var counters = new StreamizCounters(null);
        var config = StreamizStatefulPassthrough.Config(cluster.BootstrapServers, id, Path.Combine(root, id), TimeSpan.FromMilliseconds(100), null);
        config.Logger = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(logs));
        var started = DateTime.UtcNow;
        using var stream = new KafkaStream(StreamizStatefulPassthrough.Topology(input, output, caching: true, counters), config);
        var state = new StreamizStateLog(stream);
        var start = stream.StartAsync();
        // Until it processed the input, failed, or logged its first failed attempt to create the topics (after ~60 s).
        var deadline = DateTime.UtcNow + 2 * s_window;
        while (DateTime.UtcNow < deadline && counters.Processed < 1_000 && state.Failed() is null && !logs.Lines.Any(IsInternalTopicLine))
        {
            await Task.Delay(100);
        }

        var changelogExists = TopicExists(cluster.BootstrapServers, StreamizStatefulPassthrough.Changelog(id));
        Console.WriteLine($"   after {(DateTime.UtcNow - started).TotalSeconds:0} s: states [{state}], records processed {counters.Processed:N0} of 1,000, " +
                          $"changelog topic exists: {(changelogExists ? "yes" : "no")}, StartAsync completed: {start.IsCompleted}");
        foreach (var line in logs.Lines.Where(IsInternalTopicLine).Distinct().Take(3))
        {
            Console.WriteLine($"   log: {Shorten(line)}");
        }

        Console.WriteLine();
    }

    /// <summary>A pre-loaded backlog, auto.offset.reset left as Streamiz leaves it, then set to earliest.</summary>
    private static async Task OffsetReset(EmbeddedKafkaCluster cluster, int partitions, Workload workload, string root, string run)
    {
        Console.WriteLine("2. auto.offset.reset: 1,000 records pre-loaded, then the app starts; 100 more records produced once all tasks are initialised");
        foreach (var reset in new AutoOffsetReset?[] { null, AutoOffsetReset.Earliest })
        {
            var (input, output, id) = Topics(cluster, run, reset is null ? "reset-default" : "reset-earliest", partitions);
            cluster.CreateTopic(StreamizStatefulPassthrough.Changelog(id), partitions, 3);
            workload.Preload(cluster.BootstrapServers, input, 1_000);
            var counters = new StreamizCounters(null);
            var config = StreamizStatefulPassthrough.Config(cluster.BootstrapServers, id, Path.Combine(root, id), TimeSpan.FromMilliseconds(100), null, reset);
            var supplier = new TimedClientSupplier(config, true, _ => { });
            using var stream = new KafkaStream(StreamizStatefulPassthrough.Topology(input, output, caching: true, counters), config, supplier);
            var state = new StreamizStateLog(stream);
            await stream.StartAsync();
            await Task.Run(() => StreamizStatefulPassthrough.WaitFor(() => counters.Initialised >= partitions, state, s_window, "all tasks initialised"));
            await Task.Delay(TimeSpan.FromSeconds(2)); // a window in which a backlog would be read; the result is printed, not asserted
            var beforeMore = counters.Processed;
            workload.Preload(cluster.BootstrapServers, input, 100);
            var deadline = DateTime.UtcNow + s_window;
            while (DateTime.UtcNow < deadline && counters.Processed < beforeMore + 100 && state.Failed() is null)
            {
                await Task.Delay(50);
            }

            var configured = supplier.LastConsumerConfig?.AutoOffsetReset?.ToString() ?? "not set (librdkafka default: latest)";
            Console.WriteLine($"   config AutoOffsetReset {(reset is null ? "left unset" : reset.ToString())}: main consumer auto.offset.reset = {configured}; " +
                              $"processed {beforeMore:N0} of the 1,000 pre-loaded, then {counters.Processed - beforeMore:N0} of the 100 produced later");
        }

        Console.WriteLine();
    }

    /// <summary>A second instance with an empty state directory restores the changelog: when does it say RUNNING?</summary>
    private static async Task RunningBeforeRestore(EmbeddedKafkaCluster cluster, int partitions, Workload workload, string root, string run)
    {
        const int records = 60_000;
        Console.WriteLine($"3. RUNNING and restore: an instance fills the changelog ({records:N0} records, store cache off so each Put is a changelog record) " +
                          "and stops; a new instance of the same application starts with an empty state directory and restores");
        var (input, output, id) = Topics(cluster, run, "restore", partitions);
        cluster.CreateTopic(StreamizStatefulPassthrough.Changelog(id), partitions, 3);
        workload.Preload(cluster.BootstrapServers, input, records);
        await DrainAsync(cluster, input, output, id, Path.Combine(root, id + "-first"), partitions, records, caching: false);
        var (changelogEnd, _) = Workload.Watermarks(cluster.BootstrapServers, StreamizStatefulPassthrough.Changelog(id), partitions);

        var counters = new StreamizCounters(null);
        var config = StreamizStatefulPassthrough.Config(cluster.BootstrapServers, id, Path.Combine(root, id + "-second"), TimeSpan.FromMilliseconds(100), null);
        using var stream = new KafkaStream(StreamizStatefulPassthrough.Topology(input, output, caching: false, counters), config);
        var state = new StreamizStateLog(stream);
        var restoreStarts = new ConcurrentQueue<DateTime>();
        var restoreEnds = new ConcurrentQueue<(DateTime At, long Restored)>();
        stream.OnRestoreStartEvent += (_, _, _, _) => restoreStarts.Enqueue(DateTime.UtcNow);
        stream.OnRestoreEndEvent += (_, _, restored) => restoreEnds.Enqueue((DateTime.UtcNow, restored));
        var started = DateTime.UtcNow;
        await stream.StartAsync();
        var startReturned = DateTime.UtcNow;
        await Task.Run(() => StreamizStatefulPassthrough.WaitFor(() => restoreEnds.Count >= partitions, state, s_window, "restored"));
        var running = state.FirstAt(KafkaStream.State.RUNNING);
        string Ms(DateTime? at) => at is { } t ? $"{(t - started).TotalMilliseconds:0} ms" : "never";
        Console.WriteLine($"   changelog end offsets sum {changelogEnd:N0}; states [{state}]; after start: StartAsync returned {Ms(startReturned)}, " +
                          $"RUNNING {Ms(running)}, first restore started {Ms(restoreStarts.Min())}, last restore ended {Ms(restoreEnds.Max(e => e.At))} " +
                          $"({restoreEnds.Sum(e => e.Restored):N0} records restored over {restoreEnds.Count} partitions)");
        Console.WriteLine();
    }

    /// <summary>An instance drains its input, commits and stops cleanly; the same instance (same state directory) starts again.</summary>
    private static async Task RestartReprocesses(EmbeddedKafkaCluster cluster, int partitions, Workload workload, string root, string run, int? sessionTimeoutMs)
    {
        const int records = 1_000;
        Console.WriteLine($"4. Restart: an instance processes {records:N0} records, commits (CommitTransaction returned after the last one) and stops cleanly; " +
                          $"it starts again with the same state directory and no new input; session.timeout.ms {sessionTimeoutMs?.ToString() ?? "librdkafka's default"}");
        var (input, output, id) = Topics(cluster, run, sessionTimeoutMs is null ? "restart" : "restart-session", partitions);
        cluster.CreateTopic(StreamizStatefulPassthrough.Changelog(id), partitions, 3);
        workload.Preload(cluster.BootstrapServers, input, records);
        var stateDirectory = Path.Combine(root, id);
        var first = await DrainAsync(cluster, input, output, id, stateDirectory, partitions, records, caching: true, sessionTimeoutMs);
        var committed = CommittedOffsets(cluster.BootstrapServers, id, input, partitions);
        var (outputAfterFirst, _) = Workload.Watermarks(cluster.BootstrapServers, output, partitions);

        var counters = new StreamizCounters(null);
        var config = StreamizStatefulPassthrough.Config(cluster.BootstrapServers, id, stateDirectory, TimeSpan.FromMilliseconds(100), null);
        config.SessionTimeoutMs = sessionTimeoutMs;
        DateTime? firstRecord = null;
        var started = DateTime.UtcNow;
        using (var stream = new KafkaStream(StreamizStatefulPassthrough.Topology(input, output, caching: true, counters), config))
        {
            var state = new StreamizStateLog(stream);
            await stream.StartAsync();
            var deadline = DateTime.UtcNow + s_window;
            while (DateTime.UtcNow < deadline && counters.Processed < records && state.Failed() is null)
            {
                if (firstRecord is null && counters.Processed > 0)
                {
                    firstRecord = DateTime.UtcNow;
                }

                await Task.Delay(20);
            }

            await Task.Delay(TimeSpan.FromSeconds(1)); // let a commit cover what was reprocessed before stopping
        }

        var (outputAfterSecond, _) = Workload.Watermarks(cluster.BootstrapServers, output, partitions);
        Console.WriteLine($"   first run processed {first:N0}; group offsets committed for the input afterwards: {committed} of {partitions} partitions; " +
                          $"second run processed {counters.Processed:N0} again, the first of them {(firstRecord is { } f ? $"{(f - started).TotalSeconds:0.0} s" : "never")} after its start; " +
                          $"output end offsets sum {outputAfterFirst:N0} after the first run, " +
                          $"{outputAfterSecond:N0} after the second (commit markers take offsets too)");
        Console.WriteLine();
    }

    /// <summary>Runs the app until a commit covered <paramref name="records"/> records, then stops it; returns the count processed.</summary>
    private static async Task<long> DrainAsync(EmbeddedKafkaCluster cluster, string input, string output, string id, string stateDirectory, int partitions, long records,
        bool caching, int? sessionTimeoutMs = null)
    {
        var probe = new RunProbe(trackLatency: false);
        var counters = new StreamizCounters(probe);
        var config = StreamizStatefulPassthrough.Config(cluster.BootstrapServers, id, stateDirectory, TimeSpan.FromMilliseconds(100), null);
        config.SessionTimeoutMs = sessionTimeoutMs;
        var supplier = new TimedClientSupplier(config, caching, c => probe.OnCommitted(c.DurationMs, counters.Processed >= records));
        using var stream = new KafkaStream(StreamizStatefulPassthrough.Topology(input, output, caching, counters), config, supplier);
        var state = new StreamizStateLog(stream);
        await stream.StartAsync();
        await Task.Run(() => probe.WaitForEnd(s_window, state.Failed));
        return counters.Processed;
    }

    private static (string Input, string Output, string Id) Topics(EmbeddedKafkaCluster cluster, string run, string tag, int partitions)
    {
        var id = $"check-{run}-{tag}";
        cluster.CreateTopic(id + "-in", partitions, 3);
        cluster.CreateTopic(id + "-out", partitions, 3);
        return (id + "-in", id + "-out", id);
    }

    private static bool TopicExists(string bootstrap, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Any(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError);
    }

    private static int CommittedOffsets(string bootstrap, string groupId, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = groupId }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10));
        return committed.Count(c => c.Offset != Offset.Unset);
    }

    private static bool IsInternalTopicLine(string line) => line.Contains("internal topic", StringComparison.OrdinalIgnoreCase);

    private static string Shorten(string line) => line.Length <= 220 ? line : line[..220] + "...";

    /// <summary>Keeps Streamiz's log lines (Information and up) for the checks to quote.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => new Capture(_lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Capture(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    lines.Enqueue($"{logLevel} {category.Split('.')[^1]}: {formatter(state, exception)}");
                }
            }
        }
    }
}
