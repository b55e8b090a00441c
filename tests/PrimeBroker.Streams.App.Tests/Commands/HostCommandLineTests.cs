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
        Assert.Contains("Unknown command 'launch-rockets'", error.ToString());
    }

    [Fact]
    public async Task UnknownSwitchIsAUsageErrorNamingTheSwitch()
    {
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(["dev-cluster", "--bootstrap-server=x:9092"], TextWriter.Null, error);

        Assert.Equal(HostCommandLine.UsageError, exitCode);
        Assert.Contains("Unknown switch '--bootstrap-server'", error.ToString());
    }
}
