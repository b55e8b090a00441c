using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Commands;

namespace PrimeBroker.Streams.App.Tests.Cluster;

/// <summary>Console logs as JSON for containers: <c>Logging:Console:FormatterName=json</c> (environment
/// <c>Logging__Console__FormatterName=json</c>) reaches the console logger of every command's host.</summary>
public sealed class JsonConsoleLogTests
{
    [Fact]
    public void TheConsoleFormatterComesFromConfiguration()
    {
        using var host = HostCommandLine.Build(["topics", "--bootstrap-servers", "127.0.0.1:1", "--Logging:Console:FormatterName", "json"]);

        Assert.Equal(ConsoleFormatterNames.Json, host.Services.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value.FormatterName);
    }
}
