using System.Globalization;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Publishing;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Commands;

/// <summary><c>generate</c>: the load generator alone against a cluster and registry (by default the running
/// <c>dev-cluster</c>'s): seeds the instruments, then sends trades through the trade publisher with a progress line every
/// second until the duration or count is reached or Ctrl-C.</summary>
internal sealed class GenerateCommand : IHostCommand
{
    public string Name => "generate";

    public string Summary => "send generated trades (with duplicates, resends, reorders, invalid ones) through the trade publisher";

    public IReadOnlyList<CommandSwitch> Switches { get; } = [.. CommonSwitches.Connection, CommonSwitches.ApplicationId, .. CommonSwitches.Generator];

    public IHost Build(CommandContext context)
    {
        var builder = CommandHosts.CreateBuilder(context);
        var services = builder.Services;
        services.AddValidatedOptions<KafkaOptions>(builder.Configuration, KafkaOptions.Section, o => o.Validate());
        services.AddValidatedOptions<SchemaRegistryOptions>(builder.Configuration, SchemaRegistryOptions.Section, o => o.Validate());
        services.AddValidatedOptions<GeneratorOptions>(builder.Configuration, GeneratorOptions.Section, o => o.Validate());
        services.AddValidatedOptions<BrokerageOptions>(builder.Configuration, BrokerageOptions.SectionName, _ => []);
        // Only the application id: the publisher reads that streams application's applied sequences.
        services.AddValidatedOptions<StreamsOptions>(builder.Configuration, StreamsOptions.Section, _ => []);
        services.AddSingleton<ClusterConnection>();
        services.AddSingleton(sp => sp.GetRequiredService<ClusterConnection>().CreateRegistryClient());
        services.AddSingleton<PublisherHostedService>();
        services.AddSingleton(sp => sp.GetRequiredService<PublisherHostedService>().Publisher);
        services.AddHostedService(sp => sp.GetRequiredService<PublisherHostedService>());
        services.AddSingleton(sp =>
        {
            var generator = ActivatorUtilities.CreateInstance<GeneratorService>(sp);
            generator.StopHostWhenDone = true;
            generator.SeedInstruments = true;
            return generator;
        });
        services.AddHostedService(sp => sp.GetRequiredService<GeneratorService>());
        services.AddHostedService<ProgressPrinter>();
        builder.Logging.AddFilter("Microsoft", Microsoft.Extensions.Logging.LogLevel.Warning);
        return builder.Build();
    }

    /// <summary>One progress line a second, and a summary at the end.</summary>
    private sealed class ProgressPrinter(GeneratorService generator, CommandOutput output) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
                    Print("progress");
                }
            }
            catch (OperationCanceledException)
            {
            }

            Print("done");
        }

        private void Print(string label)
        {
            if (generator.Generator?.Progress is not { } p)
            {
                return;
            }

            var rate = p.Elapsed.TotalSeconds > 0 ? p.Sent / p.Elapsed.TotalSeconds : 0;
            output.Writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: sent {p.Sent} ({rate:F1}/s) new {p.New} duplicates {p.Duplicates} resends {p.Resends} reordered {p.Reordered} invalid {p.Invalid} failed {p.Failed}"));
            output.Writer.Flush();
        }
    }
}
