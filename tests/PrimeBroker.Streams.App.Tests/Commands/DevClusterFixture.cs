using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Commands;

namespace PrimeBroker.Streams.App.Tests.Commands;

/// <summary>A <c>dev-cluster</c> run in this process (embedded cluster, registry, catalog), shared by one test class;
/// commands under test find it through <see cref="File"/> (<c>--dev-cluster-file</c>).</summary>
public sealed class DevClusterFixture : IAsyncLifetime
{
    private IHost? _host;

    /// <summary>The connection file the dev-cluster wrote.</summary>
    public string File { get; } = Probe.TempFile();

    /// <summary>What the connection file says.</summary>
    internal DevClusterInfo Info { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _host = HostCommandLine.Build(["dev-cluster", "--output", File], TextWriter.Null);
        await _host.StartAsync().WaitAsync(Probe.Timeout);
        Info = DevClusterInfo.ReadFrom(File);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync().WaitAsync(Probe.Timeout);
            _host.Dispose();
        }
    }

    /// <summary>Runs a command to its end in this process, as <c>Program</c> does, and returns its exit code and output.</summary>
    internal async Task<(int ExitCode, string Output, string Error)> RunAsync(TimeSpan timeout, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await HostCommandLine.RunAsync([.. args, "--dev-cluster-file", File, "--Logging:LogLevel:Default=Warning"], output, error)
            .WaitAsync(timeout);
        return (exitCode, output.ToString(), error.ToString());
    }
}
