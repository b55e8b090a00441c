using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// A logger factory for the application under test that keeps only the engine's commit breakdown (the stream thread's
/// debug message, event 1095: each commit's tasks, changelog records, markers and milliseconds per protocol step) and
/// summarises it; every other message is dropped, as without a logger factory.
/// </summary>
/// <remarks>Reads the message's structured values, not its text. Thread-safe.</remarks>
internal sealed class CommitStepLog : ILoggerFactory
{
    /// <summary>The engine's event id of the commit breakdown.</summary>
    public const int CommitStepsEvent = 1095;

    private readonly Dictionary<string, List<double>> _values = new(StringComparer.Ordinal);

    /// <summary>Commits seen.</summary>
    public int Count
    {
        get
        {
            lock (_values)
            {
                return _values.TryGetValue("Tasks", out var tasks) ? tasks.Count : 0;
            }
        }
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName.EndsWith(".StreamThread", StringComparison.Ordinal) ? new StepLogger(this) : NullLogger.Instance;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    /// <summary>One line: the mean (and median) of every value over the commits seen.</summary>
    public string Summary()
    {
        lock (_values)
        {
            if (Count == 0)
            {
                return "no commit breakdown logged";
            }

            string Of(string key, string label, string unit = "")
            {
                if (!_values.TryGetValue(key, out var list) || list.Count == 0)
                {
                    return $"{label} -";
                }

                var sorted = list.Order().ToList();
                return $"{label} {list.Average():0.00}{unit} (p50 {sorted[sorted.Count / 2]:0.00})";
            }

            return $"{Count} commits, means: {Of("Tasks", "tasks")}, {Of("ChangelogRecords", "changelog records")}, {Of("Markers", "markers")}; " +
                   $"{Of("ChangelogMs", "changelog sends", " ms")}, {Of("SecondaryMarkersMs", "secondary marker sends", " ms")}, {Of("FirstFlushMs", "first flush", " ms")}, " +
                   $"{Of("PrimaryMarkersMs", "primary marker sends", " ms")}, {Of("SecondFlushMs", "second flush", " ms")}, {Of("KafkaCommitMs", "Kafka commit", " ms")} " +
                   $"(on the call thread {Of("CommitCallMs", "", " ms").Trim()}), {Of("LocalWriteMs", "local write", " ms")}";
        }
    }

    private void Record(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        lock (_values)
        {
            foreach (var (key, value) in values)
            {
                double? number = value switch
                {
                    double d => d,
                    int i => i,
                    long l => l,
                    _ => null,
                };
                if (number is { } n)
                {
                    if (!_values.TryGetValue(key, out var list))
                    {
                        _values[key] = list = new List<double>();
                    }

                    list.Add(n);
                }
            }
        }
    }

    private sealed class StepLogger(CommitStepLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == CommitStepsEvent && state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                log.Record(values);
            }
        }
    }
}
