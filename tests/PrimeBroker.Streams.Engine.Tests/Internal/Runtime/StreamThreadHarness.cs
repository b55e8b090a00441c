using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// Real <see cref="StreamThread"/>s (group members) over one <see cref="InMemoryCluster"/> on a fake clock, each with a
/// consumer whose group the test scripts. Topology: input topic <see cref="InputTopic"/> (2 partitions) → a processor
/// that counts records per key in the logged in-memory store <see cref="StoreName"/>, so every task start restores the
/// whole store from its changelog and a kept task shows itself by keeping its memory.
/// </summary>
/// <remarks>Lock-step: each member's thread parks in Consume whenever it has nothing to do (see
/// <see cref="InMemoryConsumer"/>); a test moves it with <see cref="Member.Step"/> and moves time with <see cref="Time"/>,
/// so nothing depends on the machine's speed or its clock.</remarks>
internal sealed class StreamThreadHarness : IDisposable
{
    public const string ApplicationId = "app";
    public const string InputTopic = "in";
    public const string StoreName = "counts";
    public const string Changelog = ApplicationId + "-" + StoreName + "-changelog";

    /// <summary>The optional second (secondary) store: sums of the values, written only for a value other than 0.</summary>
    public const string SumsStoreName = "sums";
    public const string SumsChangelog = ApplicationId + "-" + SumsStoreName + "-changelog";
    public const int Partitions = 2;

    private readonly List<Member> _members = new();
    private readonly TempDirectory _state = new();
    private readonly RuntimeTopology _runtime;
    private readonly bool _persistent;
    private readonly InMemoryInstanceDirectory.Claims _claims = new();
    private readonly Func<IChangelogReader, IChangelogReader>? _changelogReader;
    private int _processes;

    /// <param name="configure">Changes to the members' configuration.</param>
    /// <param name="persistentStore">A RocksDB store in a state directory per process (standby tests: the stores a
    /// standby keeps warm must outlive it); default an in-memory store.</param>
    /// <param name="uncommittedVisible">Readers see aborted and open transactions' records, as on the embedded cluster.</param>
    /// <param name="changelogReader">Wraps each member's changelog reader (for example a <see cref="ThrottledChangelogReader"/>).</param>
    /// <param name="sums">Adds the secondary store <see cref="SumsStoreName"/> (same kind), written only for values other
    /// than 0, so commits of 0s mark the primary store only.</param>
    public StreamThreadHarness(Func<StreamsConfig, StreamsConfig>? configure = null, bool persistentStore = false, bool uncommittedVisible = false,
        Func<IChangelogReader, IChangelogReader>? changelogReader = null, bool sums = false)
    {
        _persistent = persistentStore;
        _changelogReader = changelogReader;
        Cluster = new InMemoryCluster(_ => Partitions, uncommittedVisible);
        var builder = new StreamsBuilder();
        string[] stores = sums ? [StoreName, SumsStoreName] : [StoreName];
        foreach (var store in stores)
        {
            builder.AddStateStore(persistentStore
                ? Stores.PersistentKeyValueStore(store, Serdes.String, Serdes.Int64)
                : Stores.InMemoryKeyValueStore(store, Serdes.String, Serdes.Int64));
        }

        builder.Stream(InputTopic, Consumed<string, long>.With(Serdes.String, Serdes.Int64))
            .ProcessValues(() => new CountingProcessor(StoreName, Processors, sums ? SumsStoreName : null), stores);
        _runtime = new RuntimeTopology(builder.Build(), ApplicationId,
            new Dictionary<string, int> { [InputTopic] = Partitions, [Changelog] = Partitions, [SumsChangelog] = Partitions });
        var config = new StreamsConfig
        {
            ApplicationId = ApplicationId,
            BootstrapServers = "in-memory",
            StateDirectory = _state.Path,
            TimeProvider = Time,
            CommitInterval = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        Config = configure?.Invoke(config) ?? config;
        Config.Validate();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public InMemoryCluster Cluster { get; }

    public StreamsConfig Config { get; }

    public EngineMetrics Metrics { get; } = new(ApplicationId);

    public CapturingLoggerFactory Logs { get; } = new();

    /// <summary>What the processors saw: inits, records, closes (a clean close runs Close; a dirty one does not).</summary>
    public ProcessorEvents Processors { get; } = new();

    public static TopicPartition Input(int partition) => new(InputTopic, partition);

    /// <summary>Starts a member (a stream thread of a new process) that the group gives <paramref name="partitions"/>
    /// when it joins, and waits until it has handled the assignment and parked.</summary>
    public Member Join(params int[] partitions)
    {
        var member = new Member(this, _processes++, partitions.Select(Input).ToArray());
        _members.Add(member);
        return member;
    }

    /// <summary>Starts the process of <paramref name="stopped"/> again (a new group member, the same state directory,
    /// application server and transactional id), as a restarted pod; <paramref name="stopped"/> must have been disposed.</summary>
    public Member Restart(Member stopped, params int[] partitions)
    {
        if (!stopped.Thread.Stopped)
        {
            throw new InvalidOperationException($"Member of process {stopped.Process} still runs; dispose it first.");
        }

        var member = new Member(this, stopped.Process, partitions.Select(Input).ToArray());
        _members.Add(member);
        return member;
    }

    /// <summary>Appends a committed record to the input partition, as a producer outside the application would.</summary>
    public void Produce(int partition, string key, long value = 1) =>
        Cluster.Append(InputTopic, partition, new InMemoryCluster.StoredRecord(
            Serdes.String.Serializer.Serialize(key, SerializationContext.Empty), Serdes.Int64.Serializer.Serialize(value, SerializationContext.Empty),
            null, Time.GetUtcNow().ToUnixTimeMilliseconds(), InMemoryCluster.TxnState.Committed));

    /// <summary>Moves the fake clock past the commit interval: the next loop round of every member commits.</summary>
    public void CommitIntervalPasses() => Time.Advance(Config.CommitInterval);

    /// <summary>The count of <paramref name="key"/> as the committed changelog of <paramref name="partition"/> says
    /// (a read_committed reader; commit markers skipped), or 0.</summary>
    public long CommittedCount(int partition, string key)
    {
        var reader = new InMemoryChangelogReader(Cluster);
        var wanted = Serdes.String.Serializer.Serialize(key, SerializationContext.Empty);
        var value = reader.Read(Changelog, partition, 0, Cluster.StableOffset(Changelog, partition))
            .Where(r => !r.IsMarker && r.Key.AsSpan().SequenceEqual(wanted))
            .Select(r => r.Value).LastOrDefault();
        return value is null ? 0 : Serdes.Int64.Deserializer.Deserialize(value, false, SerializationContext.Empty);
    }

    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Dispose();
        }

        Metrics.Dispose();
        _state.Dispose();
    }

    /// <summary>One stream thread with its scripted consumer.</summary>
    internal sealed class Member : IDisposable
    {
        private readonly StreamThreadHarness _harness;

        public Member(StreamThreadHarness harness, int process, TopicPartition[] partitions)
        {
            _harness = harness;
            Process = process;
            Consumer = new InMemoryConsumer(harness.Cluster, $"member-{process}");
            Consumer.JoinWith(partitions);
            TransactionalId = $"{ApplicationId}-process-{process}-0";
            Server = $"process-{process}:8080";
            // Each process its own state directory when stores are on disk, as separate machines have.
            var config = harness._persistent ? harness.Config with { StateDirectory = Path.Combine(harness.Config.StateDirectory, $"process-{process}") } : harness.Config;
            StateDirectory = Path.Combine(config.StateDirectory, ApplicationId);
            IInstanceDirectory? directory = null;
            if (config.NumStandbyReplicas > 0)
            {
                directory = new InMemoryInstanceDirectory(harness._claims, Server);
                Standbys = new StandbyTasks(harness._runtime, config, directory, harness.Metrics, harness.Logs.CreateLogger("standby"));
            }

            Thread = new StreamThread(0, harness._runtime, config, new InMemoryKafkaClients(config, harness.Cluster, Consumer, harness._changelogReader),
                $"process-{process}", new Dictionary<string, IBytesStore>(), harness.Metrics, harness.Logs, (_, ex) => Fatal = ex, directory, standbys: Standbys);
            Thread.Start();
            Consumer.WaitParked(Failure);
        }

        public StreamThread Thread { get; }

        /// <summary>The process this member runs in (its state directory, server and transactional id).</summary>
        public int Process { get; }

        /// <summary>The member's application server (its id in the instance directory).</summary>
        public string Server { get; }

        /// <summary>The member's application state directory.</summary>
        public string StateDirectory { get; }

        /// <summary>The member's standby tasks (when <see cref="StreamsConfig.NumStandbyReplicas"/> is set).</summary>
        public StandbyTasks? Standbys { get; }

        public InMemoryConsumer Consumer { get; }

        /// <summary>The transactional id of the thread's producer.</summary>
        public string TransactionalId { get; }

        /// <summary>Why the thread died, if it did.</summary>
        public Exception? Fatal { get; private set; }

        /// <summary>One round of the thread's loop (after the one it is parked in).</summary>
        public void Step() => Consumer.Step(Failure);

        /// <summary>Steps until no group event, no fetchable record and no task waiting for its restore is left.</summary>
        public void RunUntilIdle()
        {
            for (var round = 0; round < 100; round++)
            {
                if (!Consumer.HasWork && Thread.Health().All(h => h.State != TaskHealthState.Restoring))
                {
                    return;
                }

                Step();
            }

            throw new InvalidOperationException("The stream thread still had work after 100 rounds:\n" + _harness.Logs.Recent());
        }

        /// <summary>The running task of input partition <paramref name="partition"/>.</summary>
        public StreamTask Task(int partition) =>
            Thread.Tasks.SingleOrDefault(t => t.Id.Partition == partition)
            ?? throw new InvalidOperationException($"No running task for partition {partition}; running: [{string.Join(", ", Thread.Tasks.Select(t => t.Id))}]\n{_harness.Logs.Recent()}");

        /// <summary>The count of <paramref name="key"/> in the running task's store, uncommitted writes included.</summary>
        public long Count(int partition, string key) => Task(partition).GetStore<string, long>(StoreName).Get(key);

        public TaskHealth HealthOf(int partition) => Thread.Health().Single(h => h.TaskId.Partition == partition);

        public void Dispose()
        {
            Thread.RequestStop();
            Consumer.Free();
            if (!Thread.Join(TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException($"Stream thread {Thread.Name} did not stop within 20 s.");
            }

            Standbys?.Dispose();
        }

        private string? Failure() => Fatal is { } fatal ? "it died: " + fatal : Thread.Stopped ? "it stopped" : null;
    }
}

/// <summary>What the counting processors of a harness saw.</summary>
internal sealed class ProcessorEvents
{
    private int _closed;
    private int _processed;

    public int Closed => Volatile.Read(ref _closed);

    public int Processed => Volatile.Read(ref _processed);

    public void OnClose() => Interlocked.Increment(ref _closed);

    public void OnProcess() => Interlocked.Increment(ref _processed);
}

/// <summary>Counts records per key in a store; with <paramref name="sumsStore"/>, also sums the values other than 0 there.</summary>
internal sealed class CountingProcessor(string storeName, ProcessorEvents events, string? sumsStore = null) : IProcessor<string, long, string, long>
{
    private IProcessorContext<string, long> _context = null!;
    private IKeyValueStore<string, long> _store = null!;
    private IKeyValueStore<string, long>? _sums;

    public void Init(IProcessorContext<string, long> context)
    {
        _context = context;
        _store = context.GetStateStore<string, long>(storeName);
        _sums = sumsStore is null ? null : context.GetStateStore<string, long>(sumsStore);
    }

    public void Process(Record<string, long> record)
    {
        var count = _store.Get(record.Key) + 1;
        _store.Put(record.Key, count);
        if (_sums is not null && record.Value != 0)
        {
            _sums.Put(record.Key, _sums.Get(record.Key) + record.Value);
        }

        events.OnProcess();
        _context.Forward(record.WithValue(count));
    }

    public void Close() => events.OnClose();
}
