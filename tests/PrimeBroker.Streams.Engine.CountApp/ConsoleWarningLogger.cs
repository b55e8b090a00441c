using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.CountApp;

/// <summary>Prints the engine's warnings and errors as <c>log=</c> lines, so a failing kill test can show what each
/// child did (aborts, producers replaced, tasks restored again or parked, stalls).</summary>
internal sealed class ConsoleWarningLogger : ILoggerFactory, ILogger
{
    private static readonly object s_lock = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            lock (s_lock)
            {
                Console.WriteLine($"log={DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception).ReplaceLineEndings(" ")}");
            }
        }
    }

    public void Dispose()
    {
    }
}
