using System.CommandLine;
using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.App.Hosting;

namespace PrimeBroker.Streams.App.Commands;

/// <summary>Parses the command line (System.CommandLine) and runs the chosen <see cref="IHostCommand"/> as a generic host.</summary>
/// <remarks>Exit codes: 0 success (including a stop by Ctrl-C/SIGTERM), 1 the command failed, 2 usage error. Ctrl-C and
/// SIGTERM are left to the generic host (System.CommandLine's own handling is off), which stops the hosted services
/// in reverse order: the streams application commits and closes its tasks.</remarks>
internal static class HostCommandLine
{
    internal const int Success = 0;
    internal const int Failure = 1;
    internal const int UsageError = 2;

    /// <summary>All commands; add new ones here.</summary>
    internal static IReadOnlyList<IHostCommand> Commands { get; } =
    [
        new DemoCommand(),
        new RunCommand(),
        new GenerateCommand(),
        new TopicsCommand(),
        new DevClusterCommand(),
        new DlqCommand(),
        new InstrumentsCommand(),
        new DescribeCommand(),
    ];

    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        var (root, symbols) = BuildParser();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count == 0 && parsed.Action is System.CommandLine.Help.HelpAction)
        {
            await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
            return Success;
        }

        if (args.Length == 0 || parsed.Errors.Count > 0 || parsed.CommandResult.Command == root)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine(parseError.Message);
            }

            PrintUsage(error);
            return UsageError;
        }

        IHost host;
        try
        {
            host = Build(parsed, symbols, output);
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            PrintUsage(error);
            return UsageError;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            // An option the host itself reads while it is built (Host:ShutdownTimeout) is invalid.
            error.WriteLine($"{args[0]} failed: {Reason(e)}");
            return Failure;
        }

        using (host)
        {
            // Resolved before the run: RunAsync disposes the host's services when it returns.
            var outcome = (CommandOutcome?)host.Services.GetService(typeof(CommandOutcome));
            try
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                if (outcome is { FailureReason: { } reason })
                {
                    error.WriteLine($"{args[0]} failed: {reason}");
                    return Failure;
                }

                return Success;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Success;
            }
            catch (Exception e)
            {
                // The host has logged the failure; the console gets the reason too.
                error.WriteLine($"{args[0]} failed: {Reason(e)}");
                return Failure;
            }
        }
    }

    /// <summary>Builds (does not start) the host of the command named by <c>args[0]</c>.</summary>
    /// <param name="args">The command name, then its switches.</param>
    /// <param name="output">Where the command prints what a user or script needs (addresses); null means the console.</param>
    /// <exception cref="ArgumentException">Unknown command or switch, or a switch without its value.</exception>
    internal static IHost Build(string[] args, TextWriter? output = null)
    {
        var (root, symbols) = BuildParser();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 || parsed.CommandResult.Command == root)
        {
            throw new ArgumentException(parsed.Errors.Count > 0 ? string.Join(" ", parsed.Errors.Select(e => e.Message)) : "No command given.");
        }

        return Build(parsed, symbols, output ?? Console.Out);
    }

    private static IHost Build(ParseResult parsed, Dictionary<Command, (IHostCommand Command, List<(Option Option, CommandSwitch Switch)> Switches)> symbols,
        TextWriter output)
    {
        var (command, switches) = symbols[parsed.CommandResult.Command];
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (option, @switch) in switches)
        {
            if (parsed.GetResult(option) is { Implicit: false } result)
            {
                settings[@switch.ConfigurationKey] = @switch.IsFlag ? "true" : result.Tokens.LastOrDefault()?.Value;
            }
        }

        AddDirectSettings(parsed.UnmatchedTokens, command, settings);
        return command.Build(new CommandContext(settings, new CommandOutput(output)));
    }

    /// <summary><c>--Section:Key value</c> or <c>--Section:Key=value</c>; anything else left over is an unknown switch.</summary>
    private static void AddDirectSettings(IReadOnlyList<string> tokens, IHostCommand command, Dictionary<string, string?> settings)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var name = token.Split('=', 2)[0];
            if (!token.StartsWith("--", StringComparison.Ordinal) || !name.Contains(':'))
            {
                throw new ArgumentException(token.StartsWith('-')
                    ? $"Unknown switch '{name}' for '{command.Name}'. Known: {string.Join(", ", command.Switches.Select(s => s.Name))}."
                    : $"Unexpected argument '{token}' for '{command.Name}'.");
            }

            if (token.Contains('='))
            {
                settings[name[2..]] = token.Split('=', 2)[1];
            }
            else if (i + 1 < tokens.Count)
            {
                settings[name[2..]] = tokens[++i];
            }
            else
            {
                throw new ArgumentException($"Switch '{name}' needs a value.");
            }
        }
    }

    private static (RootCommand Root, Dictionary<Command, (IHostCommand, List<(Option, CommandSwitch)>)> Symbols) BuildParser()
    {
        var root = new RootCommand("PrimeBroker.Streams: the prime broker on Kafka. Start with 'demo'.");
        var symbols = new Dictionary<Command, (IHostCommand, List<(Option, CommandSwitch)>)>();
        foreach (var hostCommand in Commands)
        {
            var command = new Command(hostCommand.Name, hostCommand.Summary) { TreatUnmatchedTokensAsErrors = false };
            var options = new List<(Option, CommandSwitch)>();
            foreach (var @switch in hostCommand.Switches)
            {
                Option option = @switch.IsFlag
                    ? new Option<bool>(@switch.Name) { Description = @switch.Description }
                    : new Option<string>(@switch.Name) { Description = @switch.Description };
                command.Add(option);
                options.Add((option, @switch));
            }

            root.Add(command);
            symbols[command] = (hostCommand, options);
        }

        return (root, symbols);
    }

    private static string Reason(Exception e) => e switch
    {
        Microsoft.Extensions.Options.OptionsValidationException v => string.Join(" ", v.Failures),
        AggregateException { InnerExceptions.Count: 1 } a => Reason(a.InnerExceptions[0]),
        _ => e.Message,
    };

    private static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("usage: PrimeBroker.Streams.App <command> [--switch value ...]   (--help after a command lists its switches)");
        foreach (var command in Commands)
        {
            writer.WriteLine($"  {command.Name,-12} {command.Summary}");
        }
    }
}
