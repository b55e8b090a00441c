using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Commands;

namespace PrimeBroker.Streams.App.Tests.Cluster;

/// <summary>The host's own Kafka clients log librdkafka's lines at librdkafka's level (<see cref="ClientLogs"/>), so a
/// cluster that cannot be reached shows as errors, not as debug lines nobody sees.</summary>
public sealed class ClientLogLevelTests
{
    [Theory]
    [InlineData(SyslogLevel.Emergency, LogLevel.Critical)]
    [InlineData(SyslogLevel.Alert, LogLevel.Critical)]
    [InlineData(SyslogLevel.Critical, LogLevel.Critical)]
    [InlineData(SyslogLevel.Error, LogLevel.Error)]
    [InlineData(SyslogLevel.Warning, LogLevel.Warning)]
    [InlineData(SyslogLevel.Notice, LogLevel.Information)]
    [InlineData(SyslogLevel.Info, LogLevel.Information)]
    [InlineData(SyslogLevel.Debug, LogLevel.Debug)]
    public void LibrdkafkaLevelsMapAsConfluentsLevelAsForMicrosoftLogging(SyslogLevel level, LogLevel expected) =>
        Assert.Equal(expected, ClientLogs.LevelOf(new LogMessage("client", level, "FAC", "text")));

    [Fact]
    public void AFatalClientErrorIsAnErrorAndATransientOneAWarning()
    {
        Assert.Equal(LogLevel.Error, ClientLogs.LevelOf(new Error(ErrorCode.Local_Fatal, "fenced", isFatal: true)));
        Assert.Equal(LogLevel.Warning, ClientLogs.LevelOf(new Error(ErrorCode.Local_AllBrokersDown, "1/1 brokers are down")));
    }

    [Fact]
    public async Task AnAdminClientOfAClusterThatIsDownLogsAnErrorThroughTheHostsLogger()
    {
        var logs = new CapturingLogger();
        using var host = HostCommandLine.Build(["topics", "--bootstrap-servers", $"127.0.0.1:{ClosedPort()}"], TextWriter.Null);
        var clients = new KafkaClientSettings(host.Services.GetRequiredService<ClusterConnection>().Clients.BootstrapServers,
            new Dictionary<string, string>(), logs);
        Assert.NotNull(host.Services.GetRequiredService<ClusterConnection>().Clients.Log); // the commands' clients log through the host

        using var admin = new AdminClientBuilder(clients.Admin()).LoggingTo(clients.Log).Build();
        _ = Task.Run(() =>
        {
            try
            {
                admin.GetMetadata(TimeSpan.FromSeconds(20));
            }
            catch (KafkaException)
            {
                // expected: nothing listens
            }
        });

        var error = await logs.First(e => e.Level >= LogLevel.Error).WaitAsync(Probe.Timeout);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A port nothing listens on: bound once to find a free one, then closed.</summary>
    private static int ClosedPort() => Scratch.FreePort();

    private sealed class CapturingLogger : ILogger
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();
        private readonly List<(Func<(LogLevel Level, string Message), bool> Match, TaskCompletionSource<(LogLevel Level, string Message)> Seen)> _waiters = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = (logLevel, formatter(state, exception));
            lock (_waiters)
            {
                _entries.Enqueue(entry);
                foreach (var waiter in _waiters.Where(w => w.Match(entry)))
                {
                    waiter.Seen.TrySetResult(entry);
                }
            }
        }

        internal Task<(LogLevel Level, string Message)> First(Func<(LogLevel Level, string Message), bool> match)
        {
            var seen = new TaskCompletionSource<(LogLevel Level, string Message)>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                if (_entries.FirstOrDefault(match) is { Message: not null } found)
                {
                    seen.SetResult(found);
                }

                _waiters.Add((match, seen));
            }

            return seen.Task;
        }
    }
}
