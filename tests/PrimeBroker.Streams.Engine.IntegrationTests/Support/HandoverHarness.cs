namespace PrimeBroker.Streams.Engine.IntegrationTests.Support;

/// <summary>
/// Two CountApp processes ("a" and "b") with their own state directories on one embedded cluster, a paced producer,
/// and the final check: a fresh in-process instance restores every task and every count must equal its input count.
/// </summary>
internal sealed class HandoverHarness : IAsyncDisposable
{
    private readonly Dictionary<string, CountAppProcess> _processes = new();
    private readonly List<CountAppProcess> _incarnations = new();
    private readonly CancellationTokenSource _producing = new();
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Task? _producer;
    private long _produced;

    /// <param name="seed">Seed of the test's random choices, printed on failure.</param>
    /// <param name="environment">Environment variables of every process launched without its own.</param>
    public HandoverHarness(int seed, IReadOnlyDictionary<string, string>? environment = null)
    {
        Seed = seed;
        _environment = environment ?? new Dictionary<string, string>();
        Scenario = new CountScenario(partitions: 4);
        // The children verify internal topics through the Admin API, which the embedded cluster cannot create.
        Scenario.Cluster.CreateTopic(Scenario.ChangelogTopic, Scenario.Partitions, 3);
    }

    public static TimeSpan Wait { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The children's group session timeout: a SIGKILLed child's partitions move after it.</summary>
    /// <remarks>2000 ms unless <c>PBS_SESSION_TIMEOUT_MS</c> says otherwise (for rebalance measurements). Not less:
    /// librdkafka's mock keeps a join round open for <c>session.timeout.ms − 1 s</c>, but for the whole session timeout
    /// when that is 1 s or less, and its once-a-second session check can then expire a member that is still waiting in
    /// JoinGroup (its last activity is the join itself). With 1000 ms a restarted child was dropped from round after round
    /// while the survivor was handed all four partitions each time (a CI run: 60 s without a partition). With 2000 ms the
    /// round lasts 1 s and a waiting member is 1 s from expiring.</remarks>
    public static TimeSpan SessionTimeout { get; } =
        TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable("PBS_SESSION_TIMEOUT_MS"), out var ms) ? ms : 2000);

    public int Seed { get; }

    public CountScenario Scenario { get; }

    public IReadOnlyDictionary<string, CountAppProcess> Processes => _processes;

    public long Produced => Interlocked.Read(ref _produced);

    public bool ProducerFaulted => _producer?.IsFaulted == true;

    /// <summary>Changelog records the processes' restores applied, and those they skipped as never committed.</summary>
    public (long Restored, long SkippedUncommitted) RestoreTotals =>
        (_incarnations.Sum(p => p.RestoredRecords), _incarnations.Sum(p => p.SkippedUncommittedRecords));

    /// <summary>Starts a (new incarnation of a) process; a previous one of that name must have ended.</summary>
    public CountAppProcess Launch(string name, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (_processes.TryGetValue(name, out var previous))
        {
            previous.Dispose();
        }

        var process = CountAppProcess.Start(name, Scenario.Cluster.BootstrapServers, Scenario.ApplicationId, Scenario.StateDir(name),
            Scenario.Input, Scenario.Output, SessionTimeout, Traced(name, environment ?? _environment));
        _incarnations.Add(process);
        return _processes[name] = process;
    }

    /// <summary>With <c>PBS_TRACE_DIR</c> set, every incarnation writes its engine log and its Kafka clients' debug log
    /// (<c>PBS_CLIENT_DEBUG</c>, default cgrp) to its own file there, for rebalance investigations.</summary>
    private IReadOnlyDictionary<string, string> Traced(string name, IReadOnlyDictionary<string, string> environment)
    {
        if (Environment.GetEnvironmentVariable("PBS_TRACE_DIR") is not { Length: > 0 } directory)
        {
            return environment;
        }

        Directory.CreateDirectory(directory);
        return new Dictionary<string, string>(environment)
        {
            ["PBS_LOG_FILE"] = Path.Combine(directory, $"{Seed}-{name}-{_incarnations.Count}.log"),
            ["PBS_CLIENT_DEBUG"] = Environment.GetEnvironmentVariable("PBS_CLIENT_DEBUG") ?? "cgrp",
        };
    }

    /// <summary>Starts "a" and "b" and waits until they share the 4 partitions, then starts the input (500 records/s).</summary>
    public async Task StartAsync()
    {
        Launch("a");
        Launch("b");
        await Eventually.True(() => _processes.Values.All(p => p.Partitions.Count > 0) && _processes.Values.Sum(p => p.Partitions.Count) == 4, Wait, Describe);
        _producer = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (!_producing.IsCancellationRequested)
            {
                Scenario.Produce(25, keys: 40, offset: (int)Produced);
                Interlocked.Add(ref _produced, 25);
                await timer.WaitForNextTickAsync();
            }
        });
    }

    public Task TakeoverAsync(CountAppProcess survivor) =>
        Eventually.True(() => survivor.Partitions.Count == 4 && survivor.State == "Running", Wait, () => $"takeover by {survivor.Name}: {Describe()}");

    /// <summary>Restarts <paramref name="name"/> and waits until it took some partitions back.</summary>
    public async Task RestartAsync(string name, CountAppProcess survivor)
    {
        var restarted = Launch(name);
        await Eventually.True(() => restarted.Partitions.Count > 0 && survivor.Partitions.Count > 0 && restarted.Partitions.Count + survivor.Partitions.Count == 4,
            Wait, () => $"restart of {name}: {Describe()}");
        Assert.True(_processes.Values.All(p => p.Error is null), Describe());
    }

    /// <summary>Stops the input and both processes, then restores everything into a fresh instance and checks every count.</summary>
    public async Task<StreamsApplication> VerifyAsync()
    {
        _producing.Cancel();
        if (_producer is not null)
        {
            await _producer;
        }

        foreach (var process in _processes.Values)
        {
            await process.StopGracefullyAsync(Wait);
        }

        var verifier = await Scenario.StartAsync("verifier");
        await Eventually.True(() => Scenario.CountsMatch(verifier), Wait, () => $"seed {Seed}: {Scenario.Describe(verifier)}\nchildren's warnings:\n" +
            string.Join("\n", _incarnations.Select(p => $"{p.Name}:\n{p.Warnings()}")));
        return verifier;
    }

    public string Describe() =>
        $"seed {Seed}; " + string.Join("; ", _processes.Values.Select(p => $"{p.Name}: state={p.State} tasks=[{p.Tasks}] error={p.Error}\n{p.Recent()}"));

    public async ValueTask DisposeAsync()
    {
        _producing.Cancel();
        foreach (var process in _incarnations)
        {
            process.Dispose();
        }

        await Scenario.DisposeAsync();
        _producing.Dispose();
    }
}
