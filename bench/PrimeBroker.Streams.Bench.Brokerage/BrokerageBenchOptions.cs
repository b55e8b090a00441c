using System.Globalization;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>Command-line options of the end-to-end benchmark. Unknown options and bad values fail at start.</summary>
internal sealed record BrokerageBenchOptions
{
    /// <summary>Which phases run, in this order: serde, raw, throughput, latency, day, failover. Default all but failover
    /// (it runs the host program as separate processes; ask for it by name).</summary>
    public IReadOnlySet<string> Phases { get; init; } = new HashSet<string>(AllPhases.Where(p => p != "failover"));

    public static readonly string[] AllPhases = ["serde", "raw", "throughput", "latency", "day", "failover"];

    /// <summary>Fixed trade rate of the failover phase, trades/s. Default 200.</summary>
    public int FailoverRate { get; init; } = 200;

    /// <summary>Accounts of the failover phase. Default 2,000.</summary>
    public int FailoverAccounts { get; init; } = 2_000;

    /// <summary>Longest wait for the instances to settle after each failover event. Default 300 s.</summary>
    public TimeSpan FailoverSettle { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Extra arguments for every <c>run</c> instance of the failover phase (configuration keys such as
    /// <c>--Streams:NumStandbyReplicas=0</c>), split at spaces. Default none: the host's defaults.</summary>
    public IReadOnlyList<string> FailoverRunArgs { get; init; } = [];

    /// <summary>Distinct accounts (keys of trade-events). Default 10,000.</summary>
    public int Accounts { get; init; } = 10_000;

    /// <summary>Distinct instruments, seeded on instrument-events before the application starts. Default 500.</summary>
    public int Instruments { get; init; } = 500;

    /// <summary>Share of sends that repeat an already sent trade (half as an exact redelivery with the same sequence
    /// number, half re-sequenced with the same idempotency key). Default 5 %.</summary>
    public double DuplicatePercent { get; init; } = 5;

    /// <summary>Share of fresh trades held back and sent after the account's next send (out of order). Default 2 %.</summary>
    public double ResendPercent { get; init; } = 2;

    /// <summary>Stream threads of the application. Default 1.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Records of the raw copy loop's backlog. Default 300,000 (about 2.5 MiB per partition).</summary>
    public int RawRecords { get; init; } = 300_000;

    /// <summary>The rates of the step-up, trades/s, ascending. Default 1,000, 2,000, 5,000, 10,000, then +5,000 to
    /// 30,000, then 40,000 to 60,000.</summary>
    public IReadOnlyList<int> Rates { get; init; } = [1_000, 2_000, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 60_000];

    /// <summary>Duration of each step. Default 10 s.</summary>
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Commit interval of the throughput phase. Default 100 ms (the engine's default under exactly-once).</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Fixed rates of the latency phase, trades/s, one run each on a fresh cluster. Default 15, 35, 200, 2,000.</summary>
    public IReadOnlyList<int> LatencyRates { get; init; } = [15, 35, 200, 2_000];

    /// <summary>Duration of the latency phase (after the warm-up). Default 20 s.</summary>
    public TimeSpan LatencyDuration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Leading part of the latency phase left out of the percentiles (JIT, first registry lookups). Default 2 s.</summary>
    public TimeSpan LatencyWarmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Commit interval (the commit policy's maximum) of the latency phase. Default 100 ms, the engine's default:
    /// the policy commits sooner whenever the input is caught up.</summary>
    public TimeSpan LatencyCommitInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>linger.ms of the latency phase's trade producer (the trade publisher's stand-in). Default 5.</summary>
    public int LatencyLingerMs { get; init; } = 5;

    /// <summary>The commit policy's minimum (<c>StreamsConfig.MinCommitInterval</c>) in every phase. Default 5 (the
    /// engine's default); equal to the commit interval for a fixed interval.</summary>
    public int MinCommitMs { get; init; } = 5;

    /// <summary>fetch.wait.max.ms of the application's consumers in every phase. Default 5, the host's setting for an
    /// embedded cluster (the mock answers an empty Fetch only after the full wait, even when data arrives meanwhile).</summary>
    public int FetchWaitMaxMs { get; init; } = 5;

    /// <summary>Distinct trades of the day's volume. Default 1,000,000 (duplicates come on top).</summary>
    public int DayTrades { get; init; } = 1_000_000;

    /// <summary>Commit interval of the day's volume. Default 1 s: the embedded cluster finds a fetch offset by walking the
    /// partition's list of message batches from its head (librdkafka's mock, <c>rd_kafka_mock_msgset_find</c>, "FIXME:
    /// Maintain an index"), so a partition holding tens of thousands of small batches makes every fetch behind its end
    /// slower as the day goes on; each commit writes at least one batch to every output and changelog partition it
    /// touched, so fewer commits mean fewer, larger batches. Latency is not measured in this phase.</summary>
    public TimeSpan DayCommitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>linger.ms of the day's trade producer. Default 50 (5 in the other phases): larger input batches, for the
    /// same reason as <see cref="DayCommitInterval"/>.</summary>
    public int DayLingerMs { get; init; } = 50;

    /// <summary>Rate of the day's volume, trades/s; 0 = 80 % of the highest sustained rate of the throughput phase
    /// (12,000 if that phase did not run or sustained none). Default 0.</summary>
    public int DayRate { get; init; }

    /// <summary>Brokers of the embedded cluster of every phase but failover (which runs the host's `dev-cluster`).
    /// Default 3, as `demo`. An idempotent librdkafka producer has at most 5 produce requests in flight per broker, one
    /// partition each, so a commit's flush takes about (partitions it wrote per broker / 5) round trips: more brokers,
    /// more of them at once.</summary>
    public int Brokers { get; init; } = 3;

    /// <summary>Seed of every random choice. Default 20261202.</summary>
    public int Seed { get; init; } = 20261202;

    public const string Usage =
        "options: --phases serde,raw,throughput,latency,day,failover (all but failover) --failover-rate N (200) --failover-accounts N (2000) " +
        "--failover-settle-seconds N (300) --failover-run-args \"--Key=value ...\" (none) --accounts N (10000) --instruments N (500) --duplicate-pct X (5) --resend-pct X (2) " +
        "--threads N (1) --raw-records N (300000) --rates N,N,... ascending (1000,2000,5000,10000,15000,...,60000) --step-seconds N (10) " +
        "--commit-ms N (100) --min-commit-ms N (5) --latency-rates N,N,... (15,35,200,2000) --latency-seconds N (20) --latency-warmup-seconds N (2) --latency-commit-ms N (100) --latency-linger-ms N (5) " +
        "--fetch-wait-ms N (5) --day-trades N (1000000) --day-rate N trades/s, 0 = 80% of the sustained rate (0) --day-commit-ms N (1000) --day-linger-ms N (50) --brokers N (3) --seed N";

    public static BrokerageBenchOptions Parse(string[] args)
    {
        var options = new BrokerageBenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value. {Usage}");
            }

            var text = args[++i];
            options = name switch
            {
                "--phases" => options with { Phases = ParsePhases(text) },
                "--accounts" => options with { Accounts = Positive(name, text) },
                "--instruments" => options with { Instruments = Positive(name, text) },
                "--duplicate-pct" => options with { DuplicatePercent = Percent(name, text) },
                "--resend-pct" => options with { ResendPercent = Percent(name, text) },
                "--threads" => options with { Threads = Positive(name, text) },
                "--raw-records" => options with { RawRecords = Positive(name, text) },
                "--rates" => options with { Rates = ParseRates(text) },
                "--step-seconds" => options with { StepDuration = TimeSpan.FromSeconds(Positive(name, text)) },
                "--commit-ms" => options with { CommitInterval = TimeSpan.FromMilliseconds(Positive(name, text)) },
                "--latency-rates" => options with { LatencyRates = ParseRates(text) },
                "--min-commit-ms" => options with { MinCommitMs = NonNegative(name, text) },
                "--latency-seconds" => options with { LatencyDuration = TimeSpan.FromSeconds(Positive(name, text)) },
                "--latency-warmup-seconds" => options with { LatencyWarmup = TimeSpan.FromSeconds(NonNegative(name, text)) },
                "--latency-commit-ms" => options with { LatencyCommitInterval = TimeSpan.FromMilliseconds(Positive(name, text)) },
                "--latency-linger-ms" => options with { LatencyLingerMs = NonNegative(name, text) },
                "--fetch-wait-ms" => options with { FetchWaitMaxMs = Positive(name, text) },
                "--day-trades" => options with { DayTrades = Positive(name, text) },
                "--day-rate" => options with { DayRate = NonNegative(name, text) },
                "--day-commit-ms" => options with { DayCommitInterval = TimeSpan.FromMilliseconds(Positive(name, text)) },
                "--day-linger-ms" => options with { DayLingerMs = NonNegative(name, text) },
                "--failover-rate" => options with { FailoverRate = Positive(name, text) },
                "--failover-accounts" => options with { FailoverAccounts = Positive(name, text) },
                "--failover-settle-seconds" => options with { FailoverSettle = TimeSpan.FromSeconds(Positive(name, text)) },
                "--failover-run-args" => options with { FailoverRunArgs = text.Split(' ', StringSplitOptions.RemoveEmptyEntries) },
                "--brokers" => options with { Brokers = Positive(name, text) },
                "--seed" => options with { Seed = NonNegative(name, text) },
                _ => throw new ArgumentException($"unknown option '{name}'. {Usage}"),
            };
        }

        if (options.DuplicatePercent + options.ResendPercent >= 50)
        {
            throw new ArgumentException("--duplicate-pct plus --resend-pct must stay below 50.");
        }

        return options;
    }

    private static int[] ParseRates(string text)
    {
        var rates = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => Positive("--rates", r)).ToArray();
        if (rates.Length == 0 || rates.Zip(rates.Skip(1)).Any(pair => pair.Second <= pair.First))
        {
            throw new ArgumentException("--rates takes a comma-separated ascending list of positive rates.");
        }

        return rates;
    }

    private static HashSet<string> ParsePhases(string text)
    {
        var phases = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var unknown = phases.Where(p => !AllPhases.Contains(p)).ToList();
        if (phases.Count == 0 || unknown.Count > 0)
        {
            throw new ArgumentException($"--phases takes a comma-separated subset of {string.Join(',', AllPhases)}; unknown: {string.Join(',', unknown)}.");
        }

        return phases;
    }

    private static int Integer(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"{name} needs an integer value. {Usage}");

    private static int Positive(string name, string text) =>
        Integer(name, text) is > 0 and var value ? value : throw new ArgumentException($"{name} must be positive.");

    private static int NonNegative(string name, string text) =>
        Integer(name, text) is >= 0 and var value ? value : throw new ArgumentException($"{name} must be >= 0.");

    private static double Percent(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and < 50
            ? value
            : throw new ArgumentException($"{name} must be a number in [0, 50).");
}
