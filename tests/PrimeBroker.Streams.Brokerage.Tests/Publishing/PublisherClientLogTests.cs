using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Brokerage.Publishing;

namespace PrimeBroker.Streams.Brokerage.Tests.Publishing;

/// <summary>The trade publisher's clients log librdkafka's lines through the publisher's logger at librdkafka's level, so
/// a cluster that cannot be reached shows as errors in the host's log instead of lines on stderr.</summary>
public sealed class PublisherClientLogTests
{
    [Fact]
    public async Task APublisherStartingAgainstAClusterThatIsDownLogsAnErrorThroughItsLogger()
    {
        var logger = new ErrorCapture();
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = "http://127.0.0.1:1" });
        using var stop = new CancellationTokenSource();

        var start = TradePublisher.StartAsync(new TradePublisherOptions
        {
            BootstrapServers = $"127.0.0.1:{ClosedPort()}",
            Topic = "trade-events",
            RecoveryTimeout = TimeSpan.FromSeconds(20),
        }, registry, logger, stop.Token);

        var error = await logger.FirstError.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("127.0.0.1", error, StringComparison.Ordinal);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => start).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData(SyslogLevel.Error, LogLevel.Error)]
    [InlineData(SyslogLevel.Warning, LogLevel.Warning)]
    [InlineData(SyslogLevel.Notice, LogLevel.Information)]
    [InlineData(SyslogLevel.Debug, LogLevel.Debug)]
    public void LevelsMapAsTheClientLibraryMapsThem(SyslogLevel level, LogLevel expected) =>
        Assert.Equal(expected, PublisherClientLogs.LevelOf(new LogMessage("client", level, "FAC", "text")));

    private static int ClosedPort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private sealed class ErrorCapture : ILogger<TradePublisher>
    {
        public TaskCompletionSource<string> FirstError { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error && eventId.Id is 2420 or 2421)
            {
                FirstError.TrySetResult(formatter(state, exception));
            }
        }
    }
}
