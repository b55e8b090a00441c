using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.App.Commands;

/// <summary><c>topics</c>: provisions the topic catalog on a cluster (creates what is missing, checks partition counts and, on a real cluster, the cleanup policy of
/// what exists), or with <c>--verify</c> only checks that every catalog topic exists with its partition count. Prints one
/// line per topic and exits (1 when a topic is missing or differs).</summary>
internal sealed class TopicsCommand : IHostCommand
{
    internal sealed class TopicsOptions
    {
        internal const string Section = "Topics";

        /// <summary>Only check, create nothing.</summary>
        public bool Verify { get; set; }
    }

    public string Name => "topics";

    public string Summary => "provision (or --verify) the topic catalog on a cluster";

    public IReadOnlyList<CommandSwitch> Switches { get; } =
    [
        CommonSwitches.BootstrapServers,
        CommonSwitches.DevClusterFile,
        new("--verify", $"{TopicsOptions.Section}:{nameof(TopicsOptions.Verify)}", "only check the catalog, create nothing", IsFlag: true),
    ];

    public IHost Build(CommandContext context)
    {
        var builder = CommandHosts.CreateBuilder(context);
        builder.Services.AddValidatedOptions<KafkaOptions>(builder.Configuration, KafkaOptions.Section, o => o.Validate());
        builder.Services.AddValidatedOptions<TopicsOptions>(builder.Configuration, TopicsOptions.Section, _ => []);
        builder.Services.AddValidatedOptions<BrokerageOptions>(builder.Configuration, BrokerageOptions.SectionName, _ => []);
        // Only the cluster matters; a registry URL is not needed here.
        builder.Services.AddSingleton(sp => new ClusterConnection(sp.GetRequiredService<IOptions<KafkaOptions>>(),
            Microsoft.Extensions.Options.Options.Create(new SchemaRegistryOptions { Url = "http://unused" }), sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        builder.Services.AddHostedService<TopicsService>();
        return builder.Build();
    }

    /// <summary>Writes one line per catalog topic (what <paramref name="inspector"/> finds against the catalog) and
    /// returns how many differ.</summary>
    internal static async Task<int> ReportAsync(ITopicInspector inspector, IReadOnlyList<TopicSpec> catalog, TextWriter writer,
        CancellationToken cancellationToken)
    {
        var existing = await inspector.DescribeAsync(catalog.Select(s => s.Name).ToList(), cancellationToken);
        var lines = CatalogCheck.Compare(catalog, existing);
        foreach (var (_, line) in lines)
        {
            writer.WriteLine(line);
        }

        writer.Flush();
        return lines.Count(l => !l.Ok);
    }

    private sealed class TopicsService(ClusterConnection connection, IOptions<TopicsOptions> options, IOptions<BrokerageOptions> brokerage, CommandOutput output,
        CommandOutcome outcome, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                var clients = connection.Clients;
                var catalog = TopicCatalog.For(brokerage.Value);
                if (!options.Value.Verify)
                {
                    var provisioner = connection.TopicProvisioner;
                    using var admin = new AdminClientBuilder(clients.Admin()).LoggingTo(clients.Log).Build();
                    await (provisioner ?? new AdminClientTopicProvisioner(admin, logger: loggerFactory.CreateLogger<AdminClientTopicProvisioner>()))
                        .EnsureTopicsAsync(catalog, stoppingToken);
                }

                // Topic configs exist only on a real cluster; the embedded one (its provisioner known) ignores them.
                var inspector = new AdminTopicInspector(clients, readConfigs: connection.IsRealCluster, TimeSpan.FromSeconds(10));
                var bad = await ReportAsync(inspector, catalog, output.Writer, stoppingToken);
                if (inspector.ConfigsUnreadable is { } reason)
                {
                    AppLog.TopicConfigsUnreadable(loggerFactory.CreateLogger<TopicsCommand>(), reason);
                }
                if (bad > 0)
                {
                    outcome.Fail($"{bad} catalog topics are missing or have another partition count or cleanup policy.");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcome.Fail(e.Message);
            }

            lifetime.StopApplication();
        }
    }
}
