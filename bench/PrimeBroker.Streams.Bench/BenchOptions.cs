using System.Globalization;

namespace PrimeBroker.Streams.Bench;

/// <summary>Command-line options of the benchmark. Unknown options and bad values fail at start.</summary>
internal sealed record BenchOptions
{
    /// <summary>Records in each pre-loaded backlog (one backlog per contender per round). Default 300,000.</summary>
    public int Records { get; init; } = 300_000;

    /// <summary>Partitions of every input and output topic. Default 20 (like trade-events).</summary>
    public int Partitions { get; init; } = 20;

    /// <summary>Rounds; each round runs the raw loop, then the engine, then Streamiz, on fresh topics. Default 3.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Value size in bytes. Default 160.</summary>
    public int ValueBytes { get; init; } = 160;

    /// <summary>Distinct keys (ACC-00000 ...). Default 10,000.</summary>
    public int Keys { get; init; } = 10_000;

    /// <summary>Commit interval of all contenders. Default 100 ms (the engine's default under exactly-once).</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The engine's commit policy minimum (<c>StreamsConfig.MinCommitInterval</c>); null keeps the engine's
    /// default, equal to <see cref="CommitInterval"/> gives a fixed interval. Default null.</summary>
    public TimeSpan? MinCommitInterval { get; init; }

    /// <summary>Records/s of the paced latency phase; 0 skips it. Default 20,000.</summary>
    public int LatencyRate { get; init; } = 20_000;

    /// <summary>Duration of the paced latency phase per contender. Default 5 s.</summary>
    public TimeSpan LatencyDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>fetch.wait.max.ms of all contenders' consumers in the paced phase. Default 10: the mock answers a Fetch
    /// that finds no data only after the full wait, even if data arrives meanwhile (a real broker answers at once), so
    /// librdkafka's default of 500 ms would dominate the latency figure.</summary>
    public int FetchWaitMaxMs { get; init; } = 10;

    /// <summary>Whether Streamiz's store has its record cache on (the engine's write cache is always on: it dedups
    /// changelog writes per key per commit, which Streamiz does only with caching). Default true.</summary>
    public bool StreamizCaching { get; init; } = true;

    /// <summary>Whether the raw loop's consumer gets the engine's fetch tuning; 0 leaves librdkafka's defaults, to show
    /// what the tuning is worth. Default true.</summary>
    public bool RawTuning { get; init; } = true;

    /// <summary>Whether Streamiz runs at all; 0 compares the engine with the raw loop only (Streamiz's rounds time out on a
    /// heavily loaded machine). Default true.</summary>
    public bool Streamiz { get; init; } = true;

    /// <summary>Run the Streamiz behaviour checks on the embedded cluster instead of the benchmark. Default false.</summary>
    public bool CheckStreamiz { get; init; }

    /// <summary>Run the cold-restore bench instead (<see cref="RestoreBench"/>). Default false.</summary>
    public bool Restore { get; init; }

    /// <summary>Restore bench: tasks (input partitions). Default 2.</summary>
    public int RestorePartitions { get; init; } = 2;

    /// <summary>Restore bench: logged stores per task (the prime broker's tasks have 9). Default 9.</summary>
    public int RestoreStores { get; init; } = 9;

    /// <summary>Restore bench: input records written to the changelogs. Default 4,500.</summary>
    public int RestoreRecords { get; init; } = 4_500;

    /// <summary>Restore bench: input records per commit while the changelogs are written. Default 3.</summary>
    public int RestoreBatch { get; init; } = 3;

    /// <summary>Restore bench: input records/s of the stateless tasks that run during each restore; 0: none. Default 200.</summary>
    public int RestoreLiveRate { get; init; } = 200;

    /// <summary>Restore bench: print the engine's restore diagnostics (debug lines). Default false.</summary>
    public bool RestoreLog { get; init; }

    public const string Usage =
        "options: --records N (300000) --partitions N (20) --rounds N (3) --value-bytes N (160) --keys N (10000) " +
        "--commit-ms N (100) --min-commit-ms N, engine only (engine default) --latency-rate N records/s, 0 = skip (20000) --latency-seconds N (5) --fetch-wait-ms N, paced phase only (10) " +
        "--restore 0|1, run the cold-restore bench instead (0) --restore-partitions N (2) --restore-stores N (9) --restore-records N (4500) " +
        "--restore-batch N records per commit (3) --restore-live-rate N records/s, 0 = none (200) --restore-log 0|1 (0) " +
        "--streamiz 0|1 (1) --streamiz-cache 0|1 (1) --raw-tuning 0|1 (1) --check-streamiz 0|1, run the Streamiz behaviour checks instead (0)";

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }

            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                throw new ArgumentException($"{name} needs an integer value. {Usage}");
            }

            i++;
            options = name switch
            {
                "--records" => options with { Records = Positive(name, value) },
                "--partitions" => options with { Partitions = Positive(name, value) },
                "--rounds" => options with { Rounds = Positive(name, value) },
                "--value-bytes" => options with { ValueBytes = Positive(name, value) },
                "--keys" => options with { Keys = Positive(name, value) },
                "--commit-ms" => options with { CommitInterval = TimeSpan.FromMilliseconds(Positive(name, value)) },
                "--min-commit-ms" => options with { MinCommitInterval = TimeSpan.FromMilliseconds(value >= 0 ? value : throw new ArgumentException($"{name} must be >= 0.")) },
                "--latency-rate" => options with { LatencyRate = value >= 0 ? value : throw new ArgumentException($"{name} must be >= 0.") },
                "--fetch-wait-ms" => options with { FetchWaitMaxMs = Positive(name, value) },
                "--latency-seconds" => options with { LatencyDuration = TimeSpan.FromSeconds(Positive(name, value)) },
                "--streamiz" => options with { Streamiz = Flag(name, value) },
                "--streamiz-cache" => options with { StreamizCaching = Flag(name, value) },
                "--raw-tuning" => options with { RawTuning = Flag(name, value) },
                "--restore" => options with { Restore = Flag(name, value) },
                "--restore-partitions" => options with { RestorePartitions = Positive(name, value) },
                "--restore-stores" => options with { RestoreStores = Positive(name, value) },
                "--restore-records" => options with { RestoreRecords = Positive(name, value) },
                "--restore-batch" => options with { RestoreBatch = Positive(name, value) },
                "--restore-live-rate" => options with { RestoreLiveRate = value >= 0 ? value : throw new ArgumentException($"{name} must be >= 0.") },
                "--restore-log" => options with { RestoreLog = Flag(name, value) },
                "--check-streamiz" => options with { CheckStreamiz = Flag(name, value) },
                _ => throw new ArgumentException($"unknown option '{name}'. {Usage}"),
            };
        }

        return options;
    }

    private static bool Flag(string name, int value) => value switch
    {
        0 => false,
        1 => true,
        _ => throw new ArgumentException($"{name} must be 0 or 1."),
    };

    private static int Positive(string name, int value) => value > 0 ? value : throw new ArgumentException($"{name} must be positive.");
}
