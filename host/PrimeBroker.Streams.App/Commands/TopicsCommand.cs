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
/// line per topic and exits (1 when a topic is missing or differs). With <c>--wait</c> it checks again every few seconds
/// until the catalog is complete or the time is up (an init container that holds an instance back until the topics
/// exist).</summary>
internal sealed class TopicsCommand : IHostCommand
{
    internal sealed class TopicsOptions
    {
        internal const string Section = "Topics";

        /// <summary>Only check, create nothing.</summary>
        public bool Verify { get; set; }

        /// <summary>How long to keep checking until every catalog topic exists as specified (an unreachable cluster
        /// counts as not yet); null (default) checks once.</summary>
        public TimeSpan? Wait { get; set; }

        internal IEnumerable<string> Validate()
        {
            if (Wait is { } wait && (wait <= TimeSpan.Zero || wait > TimeSpan.FromHours(1)))
            {
                yield return $"{Section}:{nameof(Wait)} must be between 00:00:01 and 01:00:00 (was {wait}).";
            }
        }
    }

    /// <summary>Pause between two checks of <c>--wait</c>.</summary>
    internal static readonly TimeSpan WaitInterval = TimeSpan.FromSeconds(5);

    public string Name => "topics";

    public string Summary => "provision (or --verify) the topic catalog on a cluster";

    public IReadOnlyList<CommandSwitch> Switches { get; } =
    [
        CommonSwitches.BootstrapServers,
        CommonSwitches.DevClusterFile,
        new("--verify", $"{TopicsOptions.Section}:{nameof(TopicsOptions.Verify)}", "only check the catalog, create nothing", IsFlag: true),
        new("--wait", $"{TopicsOptions.Section}:{nameof(TopicsOptions.Wait)}", "keep checking until the catalog is complete, at most this long (hh:mm:ss)"),
    ];

    public IHost Build(CommandContext context)
    {
        var builder = CommandHosts.CreateBuilder(context);
        builder.Services.AddValidatedOptions<KafkaOptions>(builder.Configuration, KafkaOptions.Section, o => o.Validate());
        builder.Services.AddValidatedOptions<TopicsOptions>(builder.Configuration, TopicsOptions.Section, o => o.Validate());
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

    /// <summary>Runs <paramref name="check"/> (which writes its report and returns how many topics differ) until it finds
    /// nothing wrong or <paramref name="wait"/> is over, <paramref name="interval"/> apart; a <see cref="KafkaException"/>
    /// (cluster not reachable yet) counts as not ready while there is time left. Writes only the last report to
    /// <paramref name="output"/> and returns its count.</summary>
    internal static async Task<int> CheckUntilCompleteAsync(Func<TextWriter, Task<int>> check, TextWriter output, TimeSpan wait, TimeSpan interval,
        Action<string> notReady, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            var report = new StringWriter();
            int bad;
            try
            {
                bad = await check(report);
            }
            catch (KafkaException e) when (time.GetUtcNow() + interval <= deadline)
            {
                notReady(e.Message);
                await Task.Delay(interval, time, cancellationToken);
                continue;
            }

            if (bad == 0 || time.GetUtcNow() + interval > deadline)
            {
                output.Write(report.ToString());
                output.Flush();
                return bad;
            }

            notReady($"{bad} catalog topics missing or different");
            await Task.Delay(interval, time, cancellationToken);
        }
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
                var logger = loggerFactory.CreateLogger<TopicsCommand>();
                var bad = await CheckUntilCompleteAsync(writer => ReportAsync(inspector, catalog, writer, stoppingToken), output.Writer,
                    options.Value.Wait ?? TimeSpan.Zero, WaitInterval, reason => AppLog.TopicsNotReady(logger, reason), TimeProvider.System, stoppingToken);
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
