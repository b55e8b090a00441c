using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.App.DevCluster;

namespace PrimeBroker.Streams.App.Commands;

/// <summary>Dispatches the first argument to an <see cref="IHostCommand"/> and runs it as a generic host.</summary>
/// <remarks>Exit codes: 0 success (including a stop by Ctrl-C/SIGTERM), 1 the command failed, 2 usage error.</remarks>
internal static class HostCommandLine
{
    internal const int Success = 0;
    internal const int Failure = 1;
    internal const int UsageError = 2;

    /// <summary>All commands; add new ones (e.g. <c>run</c>) here.</summary>
    internal static IReadOnlyList<IHostCommand> Commands { get; } = [new DevClusterCommand()];

    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintUsage(args.Length == 0 ? error : output);
            return args.Length == 0 ? UsageError : Success;
        }

        IHost host;
        try
        {
            host = Build(args, output);
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            PrintUsage(error);
            return UsageError;
        }

        using (host)
        {
            try
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                return Success;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Success;
            }
            catch (Exception e)
            {
                // The host has logged the failure; the console gets the reason too.
                error.WriteLine($"{args[0]} failed: {e.Message}");
                return Failure;
            }
        }
    }

    /// <summary>Builds (does not start) the host of the command named by <c>args[0]</c>.</summary>
    /// <param name="args">The command name, then its switches.</param>
    /// <param name="output">Where the command prints what a user or script needs (addresses); null means the console.</param>
    /// <exception cref="ArgumentException">Unknown command or switch.</exception>
    internal static IHost Build(string[] args, TextWriter? output = null)
    {
        var command = Commands.FirstOrDefault(c => c.Name == args[0])
            ?? throw new ArgumentException($"Unknown command '{args[0]}'.");
        var rest = args[1..];
        RejectUnknownSwitches(command, rest);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "PrimeBroker.Streams.App",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(rest, new Dictionary<string, string>(command.Switches));
        builder.Services.AddSingleton(new CommandOutput(output ?? Console.Out));
        command.Configure(builder);
        return builder.Build();
    }

    private static void RejectUnknownSwitches(IHostCommand command, string[] args)
    {
        foreach (var arg in args.Where(a => a.StartsWith('-')))
        {
            var name = arg.Split('=', 2)[0];
            if (!command.Switches.ContainsKey(name) && !name.Contains(':'))
            {
                throw new ArgumentException(
                    $"Unknown switch '{name}' for '{command.Name}'. Known: {string.Join(", ", command.Switches.Keys)}.");
            }
        }
    }

    private static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("usage: PrimeBroker.Streams.App <command> [--switch value ...]");
        foreach (var command in Commands)
        {
            writer.WriteLine($"  {command.Name,-12} {command.Summary}");
            writer.WriteLine($"  {"",-12} switches: {string.Join(", ", command.Switches.Keys)}");
        }
    }
}
