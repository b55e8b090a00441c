using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.App.Hosting;

namespace PrimeBroker.Streams.App.Commands;

/// <summary>
/// One command of the host executable (<c>PrimeBroker.Streams.App &lt;command&gt; [--switch value ...]</c>). Each command
/// runs as its own .NET generic host: <see cref="HostCommandLine"/> parses the switches (System.CommandLine), turns
/// them into configuration keys, and runs the host this command builds until it stops itself or Ctrl-C/SIGTERM arrives.
/// </summary>
internal interface IHostCommand
{
    /// <summary>The verb on the command line, e.g. <c>dev-cluster</c>.</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    /// <summary>Accepted switches and the configuration keys they set. Besides these, <c>--Section:Key value</c> sets any
    /// configuration key directly (e.g. <c>--Streams:SessionTimeout 00:00:06</c> or logging levels).</summary>
    IReadOnlyList<CommandSwitch> Switches { get; }

    /// <summary>Builds (does not start) the command's host.</summary>
    /// <param name="context">Configuration from the switches, and where to print.</param>
    IHost Build(CommandContext context);
}

/// <summary>A switch of a command and the configuration key it sets.</summary>
/// <param name="Name">The switch, e.g. <c>--bootstrap-servers</c>.</param>
/// <param name="ConfigurationKey">The key it sets, e.g. <c>Kafka:BootstrapServers</c>.</param>
/// <param name="Description">Help text.</param>
/// <param name="IsFlag">True for a switch without a value (sets the key to <c>true</c>).</param>
internal sealed record CommandSwitch(string Name, string ConfigurationKey, string Description, bool IsFlag = false);

/// <summary>What a command's host is built from.</summary>
/// <param name="Settings">Configuration keys set on the command line (highest precedence, above environment and
/// appsettings.json).</param>
/// <param name="Output">Where the command prints what a user or script needs.</param>
internal sealed record CommandContext(IReadOnlyDictionary<string, string?> Settings, CommandOutput Output);
