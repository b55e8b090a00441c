using Microsoft.Extensions.Hosting;

namespace PrimeBroker.Streams.App.Commands;

/// <summary>
/// One command of the host executable (<c>PrimeBroker.Streams.App &lt;command&gt; [--switch value ...]</c>). Each command
/// runs as its own generic host: <see cref="HostCommandLine"/> builds it, binds the command's switches into
/// configuration and runs it until it stops itself or Ctrl-C/SIGTERM arrives.
/// </summary>
internal interface IHostCommand
{
    /// <summary>The verb on the command line, e.g. <c>dev-cluster</c>.</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    /// <summary>Accepted switches (<c>--name</c>) and the configuration keys they set. Any other switch without a ':'
    /// is rejected; <c>--Section:Key value</c> sets any configuration key directly (e.g. logging levels).</summary>
    IReadOnlyDictionary<string, string> Switches { get; }

    /// <summary>Registers the command's services and options on <paramref name="builder"/>.</summary>
    void Configure(HostApplicationBuilder builder);
}
