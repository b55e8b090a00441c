using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Options;

namespace PrimeBroker.Streams.App.Commands;

/// <summary>
/// <c>demo</c>, the main job: the embedded cluster and registry with the topic catalog and seeded instruments, the
/// prime-broker streams application, the trade generator through the trade publisher, and the HTTP API with the
/// dashboard on 127.0.0.1; prints the dashboard URL and a status line every second. Ctrl-C stops it cleanly.
/// </summary>
internal sealed class DemoCommand : IHostCommand
{
    public string Name => "demo";

    public string Summary => "run the whole prime broker on an embedded cluster with a trade generator, HTTP API and dashboard";

    public IReadOnlyList<CommandSwitch> Switches { get; } =
    [
        .. CommonSwitches.Generator,
        CommonSwitches.Urls,
        CommonSwitches.StateDir,
        CommonSwitches.Threads,
        new("--brokers", $"{DemoOptions.Section}:{nameof(DemoOptions.Brokers)}", "brokers of the embedded cluster (default 3)"),
    ];

    public IHost Build(CommandContext context)
    {
        var settings = new Dictionary<string, string?>(context.Settings, StringComparer.OrdinalIgnoreCase);
        // The console is the status line's: only warnings from the libraries unless asked otherwise.
        settings.TryAdd("Logging:LogLevel:Default", "Warning");
        // Each dead letter is logged as a warning; the status line counts them (GET /dlq lists them).
        settings.TryAdd("Logging:LogLevel:PrimeBroker.Streams.Brokerage", "Error");
        // Every demo starts a new empty cluster, so it must not meet local state of an earlier one.
        var key = $"{StreamsOptions.Section}:{nameof(StreamsOptions.StateDirectory)}";
        if (!settings.ContainsKey(key))
        {
            settings[key] = DemoStateDirectory.NewPath(DemoStateDirectory.Root);
            settings[$"{DemoOptions.Section}:{nameof(DemoOptions.DeleteStateDirectory)}"] = "true";
        }

        return RunCommand.BuildWebHost(context with { Settings = settings }, before: builder =>
        {
            builder.Services.AddValidatedOptions<DemoOptions>(builder.Configuration, DemoOptions.Section, o => o.Validate());
            builder.Services.AddValidatedOptions<GeneratorOptions>(builder.Configuration, GeneratorOptions.Section, o => o.Validate());
            builder.Services.AddHostedService<DemoInfrastructureService>();
        }, after: builder =>
        {
            builder.Services.AddHostedService<GeneratorService>();
            builder.Services.AddHostedService<StatusPrinter>();
        });
    }
}
