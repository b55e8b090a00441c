using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.CountApp;

/// <summary>Prints the engine's warnings and errors as <c>log=</c> lines, so a failing kill test can show what each
/// child did (aborts, producers replaced, tasks restored again or parked, stalls). With a trace file
/// (<c>PBS_LOG_FILE</c>) it also writes every message down to debug there, the Kafka clients' own debug log included
/// (<c>PBS_CLIENT_DEBUG</c>), for rebalance investigations.</summary>
internal sealed class ConsoleWarningLogger : ILoggerFactory, ILogger
{
    private static readonly object s_lock = new();
    private readonly TextWriter? _trace;

    public ConsoleWarningLogger(string? traceFile = null)
    {
        _trace = traceFile is null ? null : TextWriter.Synchronized(new StreamWriter(traceFile, append: true) { AutoFlush = true });
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= (_trace is null ? LogLevel.Warning : LogLevel.Debug);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception).ReplaceLineEndings(" ")}";
        _trace?.WriteLine(line);
        if (logLevel >= LogLevel.Warning)
        {
            lock (s_lock)
            {
                Console.WriteLine("log=" + line);
            }
        }
    }

    public void Dispose() => _trace?.Dispose();
}
