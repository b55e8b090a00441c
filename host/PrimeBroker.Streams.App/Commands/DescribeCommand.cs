using System.Text.Json;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Commands;

/// <summary><c>describe</c>: prints the prime broker's topology under the configured topic names and application id,
/// as Kafka Streams' <c>Topology.describe()</c> does (text), or with <c>--json</c> as <c>GET /topology</c> gives it
/// (without store sizes, which only a running instance has). Needs no cluster.</summary>
internal sealed class DescribeCommand : IHostCommand
{
    internal sealed class DescribeOptions
    {
        internal const string Section = "Describe";

        /// <summary>Print JSON instead of text.</summary>
        public bool Json { get; set; }
    }

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Name => "describe";

    public string Summary => "print the topology: sub-topologies, processors, stores and topics (--json for JSON)";

    public IReadOnlyList<CommandSwitch> Switches { get; } =
    [
        CommonSwitches.ApplicationId,
        new("--json", $"{DescribeOptions.Section}:{nameof(DescribeOptions.Json)}", "print the description as JSON (GET /topology's form)", IsFlag: true),
    ];

    public IHost Build(CommandContext context)
    {
        var builder = CommandHosts.CreateBuilder(context);
        builder.Services.AddValidatedOptions<DescribeOptions>(builder.Configuration, DescribeOptions.Section, _ => []);
        builder.Services.AddValidatedOptions<StreamsOptions>(builder.Configuration, StreamsOptions.Section, o => o.Validate());
        builder.Services.AddValidatedOptions<BrokerageOptions>(builder.Configuration, BrokerageOptions.SectionName, _ => []);
        builder.Services.AddHostedService<DescribeService>();
        return builder.Build();
    }

    /// <summary>The description of the topology built from <paramref name="brokerage"/>: text, or JSON.</summary>
    internal static string Render(BrokerageOptions brokerage, string applicationId, bool json)
    {
        // Building the topology reads no schema: the registry client is never called here.
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = "http://127.0.0.1:1" });
        var topology = BrokerageTopology.Build(brokerage, registry);
        return json ? JsonSerializer.Serialize(TopologyView.From(topology, applicationId, null, null), s_json) : topology.Describe();
    }

    private sealed class DescribeService(IOptions<DescribeOptions> options, IOptions<StreamsOptions> streams, IOptions<BrokerageOptions> brokerage,
        CommandOutput output, CommandOutcome outcome, IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                output.Writer.WriteLine(Render(brokerage.Value, streams.Value.ApplicationId, options.Value.Json));
                output.Writer.Flush();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                outcome.Fail(e.Message);
            }

            lifetime.StopApplication();
            return Task.CompletedTask;
        }
    }
}
