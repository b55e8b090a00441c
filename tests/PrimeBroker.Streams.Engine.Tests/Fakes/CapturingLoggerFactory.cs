using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.Tests.Fakes;

/// <summary>Keeps every log event (information and above) with its event id, so a test can assert what the engine
/// decided and a failing one can show it.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<(string? Event, string Line)> _events = new();

    /// <summary>How many events named <paramref name="eventName"/> (the logging method's name) were logged.</summary>
    public int Count(string eventName) => _events.Count(e => e.Event == eventName);

    public string Recent(int count = 30) => string.Join("\n", _events.TakeLast(count).Select(e => e.Line));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._events.Enqueue((eventId.Name, $"{logLevel} {eventId.Name}: {formatter(state, exception)}"));
            }
        }
    }
}
