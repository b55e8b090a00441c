using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Commands;

/// <summary><c>dev-cluster</c>: starts the embedded Kafka cluster and schema registry and provisions the topic catalog
/// (or only provisions an external cluster); see <see cref="DevClusterService"/>.</summary>
internal sealed class DevClusterCommand : IHostCommand
{
    public string Name => "dev-cluster";

    public string Summary =>
        "start an embedded Kafka cluster (+ schema registry), provision the topic catalog, run until Ctrl-C";

    public IReadOnlyList<CommandSwitch> Switches { get; } =
    [
        new("--brokers", $"{DevClusterOptions.Section}:{nameof(DevClusterOptions.Brokers)}", "brokers of the embedded cluster (default 3)"),
        new("--output", $"{DevClusterOptions.Section}:{nameof(DevClusterOptions.OutputFile)}",
            "connection file to write, relative to the current directory (default .dev-cluster.json)"),
        new("--bootstrap-servers", $"{DevClusterOptions.Section}:{nameof(DevClusterOptions.BootstrapServers)}",
            "an existing cluster: only provision the catalog there and exit"),
        new("--schema-registry-url", $"{DevClusterOptions.Section}:{nameof(DevClusterOptions.SchemaRegistryUrl)}",
            "an existing registry to report instead of starting the embedded one"),
    ];

    public IHost Build(CommandContext context)
    {
        var builder = CommandHosts.CreateBuilder(context);
        builder.Services.AddValidatedOptions<DevClusterOptions>(builder.Configuration, DevClusterOptions.Section, o => o.Validate());
        // Kafka:Client (security for --bootstrap-servers) and Brokerage:*Topic (the names the catalog is provisioned under).
        builder.Services.AddValidatedOptions<KafkaOptions>(builder.Configuration, KafkaOptions.Section, o => o.Validate());
        builder.Services.AddValidatedOptions<BrokerageOptions>(builder.Configuration, BrokerageOptions.SectionName, _ => []);
        builder.Services.AddSingleton<ISchemaRegistryServerFactory, EmbeddedSchemaRegistryFactory>();
        builder.Services.AddHostedService<DevClusterService>();
        return builder.Build();
    }
}
