using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.App.DeadLetters;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Publishing;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Tests.Cluster;

/// <summary>The pass-through client settings (<c>Kafka:Client</c>) and the registry's authentication reach the config of
/// every client the program builds; secrets never reach a log line; invalid keys are refused at start.</summary>
public sealed class ClientSettingsTests
{
    private const string Password = "pa55-not-for-logs";

    private static readonly Dictionary<string, string?> s_settings = new()
    {
        ["Kafka:BootstrapServers"] = "broker-1.example:9092",
        ["SchemaRegistry:Url"] = "https://registry.example",
        ["Kafka:Client:security.protocol"] = "SASL_SSL",
        ["Kafka:Client:sasl.mechanism"] = "PLAIN",
        ["Kafka:Client:sasl.username"] = "desk",
        ["Kafka:Client:sasl.password"] = Password,
        ["SchemaRegistry:BasicAuthUserInfo"] = "registry-key:registry-secret",
    };

    [Fact]
    public void EveryKafkaClientKindIsBuiltWithTheConfiguredSettings()
    {
        using var services = Services(s_settings);
        var connection = services.GetRequiredService<ClusterConnection>();
        var brokerage = services.GetRequiredService<IOptions<BrokerageOptions>>().Value;
        var reader = services.GetRequiredService<DeadLetterReader>();
        using var devCluster = HostCommandLine.Build(["dev-cluster", "--bootstrap-servers", "broker-1.example:9092",
            "--Kafka:Client:security.protocol", "SASL_SSL", "--Kafka:Client:sasl.username", "desk", "--Kafka:Client:sasl.password", Password]);
        var provisioning = devCluster.Services.GetServices<IHostedService>().OfType<DevClusterService>().Single();

        var configs = new Dictionary<string, IEnumerable<KeyValuePair<string, string>>>
        {
            ["streams application"] = StreamsFactory.Config(services).ClientConfig.Append(new("bootstrap.servers", StreamsFactory.Config(services).BootstrapServers)),
            ["trade publisher"] = PublisherHostedService.Options(connection.Clients, brokerage, "prime-broker").ClientConfig
                .Append(new("bootstrap.servers", PublisherHostedService.Options(connection.Clients, brokerage, "prime-broker").BootstrapServers)),
            ["dead-letter reader consumer"] = reader.ConsumerConfig(),
            ["dead-letter reader admin"] = reader.AdminConfig(),
            ["instrument publisher"] = InstrumentPublisher.ProducerConfig(connection.Clients),
            ["topics admin"] = connection.Clients.Admin(),
            ["dev-cluster provisioning admin"] = provisioning.AdminConfig("broker-1.example:9092"),
        };

        Assert.All(configs, c =>
        {
            var config = c.Value.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.True(config.GetValueOrDefault("security.protocol") == "SASL_SSL", $"{c.Key}: security.protocol missing");
            Assert.True(config.GetValueOrDefault("sasl.username") == "desk", $"{c.Key}: sasl.username missing");
            Assert.True(config.GetValueOrDefault("sasl.password") == Password, $"{c.Key}: sasl.password missing");
            Assert.True(config.GetValueOrDefault("bootstrap.servers") == "broker-1.example:9092", $"{c.Key}: bootstrap.servers wrong");
        });
        // Each client keeps the keys of its role on top of the shared ones.
        Assert.False(reader.ConsumerConfig().EnableAutoCommit);
        Assert.True(InstrumentPublisher.ProducerConfig(connection.Clients).EnableIdempotence);
    }

    [Fact]
    public void TheRegistryClientGetsBasicAuthenticationAndTls()
    {
        // Only the config: the registry client reads the CA file when it is built.
        using var services = Services(s_settings.Append(new("SchemaRegistry:SslCaLocation", "/etc/ssl/registry-ca.pem")));

        var config = services.GetRequiredService<ClusterConnection>().RegistryConfig();

        Assert.Equal("https://registry.example", config.Url);
        Assert.Equal(AuthCredentialsSource.UserInfo, config.BasicAuthCredentialsSource);
        Assert.Equal("registry-key:registry-secret", config.BasicAuthUserInfo);
        Assert.Equal("/etc/ssl/registry-ca.pem", config.SslCaLocation);
        Assert.True(config.EnableSslCertificateVerification);
    }

    [Fact]
    public void TheLoggedDescriptionNamesEverySettingAndHidesSecrets()
    {
        var settings = new KafkaClientSettings("b:9092", new Dictionary<string, string>
        {
            ["sasl.username"] = "desk",
            ["sasl.password"] = Password,
            ["ssl.key.password"] = Password,
            ["sasl.oauthbearer.client.secret"] = Password,
            ["sasl.jaas.config"] = Password,
        });

        var text = settings.Describe();

        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.Contains("sasl.username=desk", text, StringComparison.Ordinal);
        Assert.Contains("sasl.password=***", text, StringComparison.Ordinal);
        Assert.Contains("sasl.oauthbearer.client.secret=***", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysAClientSetsForItsRoleAreRefusedAtStartNamingThem()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(["topics", "--bootstrap-servers", "127.0.0.1:1",
            "--Kafka:Client:group.id", "mine", "--Kafka:Client:bootstrap.servers", "other:9092"], output, error).WaitAsync(Probe.Timeout);

        Assert.Equal(HostCommandLine.Failure, exitCode);
        Assert.Contains("Kafka:Client:group.id is not allowed", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Kafka:Client:bootstrap.servers is not allowed: use Kafka:BootstrapServers", error.ToString(), StringComparison.Ordinal);
    }

    internal static ServiceProvider Services(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddPrimeBroker(configuration).BuildServiceProvider();
    }
}
