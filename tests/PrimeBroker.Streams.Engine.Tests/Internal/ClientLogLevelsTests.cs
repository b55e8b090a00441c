using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Internal.Kafka;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>librdkafka's log lines and client errors are logged at their level, not all at Debug.</summary>
public sealed class ClientLogLevelsTests
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
    public void ALibrdkafkaLineIsLoggedAtItsSyslogLevelMappedAsConfluentKafkaDotnetMapsIt(SyslogLevel syslog, LogLevel expected)
    {
        var line = new LogMessage("rdkafka#producer-1", syslog, "FAC", "a line");

        Assert.Equal(expected, ClientLogLevels.For(line));
        // The same answer as the client library's own mapping, so the two never drift apart.
        Assert.Equal((LogLevel)line.LevelAs(LogLevelType.MicrosoftExtensionsLogging), ClientLogLevels.For(line));
    }

    [Fact]
    public void AllBrokersDownIsAWarningAndAFatalErrorIsAnError()
    {
        Assert.Equal(LogLevel.Warning, ClientLogLevels.ForError(new Error(ErrorCode.Local_AllBrokersDown, "1/1 brokers are down", false)));
        Assert.Equal(LogLevel.Error, ClientLogLevels.ForError(new Error(ErrorCode.Local_Fatal, "fenced", true)));
    }
}
