using PrimeBroker.Streams.App.Commands;

namespace PrimeBroker.Streams.App.Tests.Commands;

public sealed class HostCommandLineTests
{
    [Fact]
    public async Task NoArgumentsPrintsUsageAndIsAUsageError()
    {
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync([], TextWriter.Null, error);

        Assert.Equal(HostCommandLine.UsageError, exitCode);
        Assert.Contains("dev-cluster", error.ToString());
    }

    [Fact]
    public async Task UnknownCommandIsAUsageError()
    {
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(["launch-rockets"], TextWriter.Null, error);

        Assert.Equal(HostCommandLine.UsageError, exitCode);
        Assert.Contains("'launch-rockets'", error.ToString());
        Assert.Contains("usage:", error.ToString());
    }

    [Fact]
    public async Task UnknownSwitchIsAUsageErrorNamingTheSwitch()
    {
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(["dev-cluster", "--bootstrap-server=x:9092"], TextWriter.Null, error);

        Assert.Equal(HostCommandLine.UsageError, exitCode);
        Assert.Contains("Unknown switch '--bootstrap-server'", error.ToString());
    }

    [Fact]
    public async Task ASwitchWithoutItsValueIsAUsageError()
    {
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(["run", "--threads"], TextWriter.Null, error);

        Assert.Equal(HostCommandLine.UsageError, exitCode);
        Assert.Contains("--threads", error.ToString());
    }

    [Fact]
    public async Task HelpOfACommandListsItsSwitchesAndSucceeds()
    {
        var output = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(["run", "--help"], output, TextWriter.Null);

        Assert.Equal(HostCommandLine.Success, exitCode);
        Assert.Contains("--bootstrap-servers", output.ToString());
        Assert.Contains("--application-server", output.ToString());
        Assert.Contains("--state-dir", output.ToString());
    }

    [Fact]
    public async Task InvalidOptionsFailAtStartNamingEveryProblem()
    {
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(
            ["run", "--threads", "0", "--application-server", "no-port", "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url", "http://127.0.0.1:1"],
            TextWriter.Null, error);

        Assert.Equal(HostCommandLine.Failure, exitCode);
        Assert.Contains("Streams:Threads must be between 1 and 64", error.ToString());
        Assert.Contains("Streams:ApplicationServer must be host:port", error.ToString());
    }

    [Fact]
    public void SwitchesAndDirectKeysBecomeConfiguration()
    {
        using var host = HostCommandLine.Build(
            ["run", "--bootstrap-servers", "b:9092", "--state-dir=/tmp/x", "--Streams:SessionTimeout", "00:00:06", "--Http:Urls=http://127.0.0.1:9999"],
            TextWriter.Null);

        var configuration = (Microsoft.Extensions.Configuration.IConfiguration)host.Services.GetService(typeof(Microsoft.Extensions.Configuration.IConfiguration))!;
        Assert.Equal("b:9092", configuration["Kafka:BootstrapServers"]);
        Assert.Equal("/tmp/x", configuration["Streams:StateDirectory"]);
        Assert.Equal("00:00:06", configuration["Streams:SessionTimeout"]);
        Assert.Equal("http://127.0.0.1:9999", configuration["Http:Urls"]);
    }
}
