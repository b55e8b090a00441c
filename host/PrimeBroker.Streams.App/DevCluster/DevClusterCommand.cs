using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.App.SchemaRegistry;

namespace PrimeBroker.Streams.App.DevCluster;

/// <summary><c>dev-cluster</c>: starts the embedded Kafka cluster and schema registry and provisions the topic catalog
/// (or only provisions an external cluster); see <see cref="DevClusterService"/>.</summary>
internal sealed class DevClusterCommand : IHostCommand
{
    public string Name => "dev-cluster";

    public string Summary =>
        "start an embedded Kafka cluster (+ schema registry), provision the topic catalog, run until Ctrl-C";

    public IReadOnlyDictionary<string, string> Switches { get; } = new Dictionary<string, string>
    {
        ["--brokers"] = $"{DevClusterOptions.Section}:{nameof(DevClusterOptions.Brokers)}",
        ["--output"] = $"{DevClusterOptions.Section}:{nameof(DevClusterOptions.OutputFile)}",
        ["--bootstrap-servers"] = $"{DevClusterOptions.Section}:{nameof(DevClusterOptions.BootstrapServers)}",
        ["--schema-registry-url"] = $"{DevClusterOptions.Section}:{nameof(DevClusterOptions.SchemaRegistryUrl)}",
    };

    public void Configure(HostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DevClusterOptions>()
            .Bind(builder.Configuration.GetSection(DevClusterOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DevClusterOptions>, DevClusterOptionsValidator>();
        builder.Services.AddSingleton<ISchemaRegistryServerFactory, EmbeddedSchemaRegistryFactory>();
        builder.Services.AddHostedService<DevClusterService>();
    }

    private sealed class DevClusterOptionsValidator : IValidateOptions<DevClusterOptions>
    {
        public ValidateOptionsResult Validate(string? name, DevClusterOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
