using System.Net.Http.Json;
using System.Text.Json;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.DeadLetters;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Http;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Publishing;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Commands;

/// <summary>
/// <c>dlq</c>: inspects the dead letters (counts by reason and the latest ones; <c>--show partition:offset</c> decodes
/// one) and re-drives chosen ones (<c>--redrive id,id,...</c> or <c>--redrive-reason REASON</c>) after their cause is
/// fixed. A re-drive goes through the trade publisher of a running instance when <c>--api</c> names one (the safe choice
/// while trades flow: that instance numbers the accounts), else through this command's own publisher.
/// </summary>
internal sealed class DlqCommand : IHostCommand
{
    internal sealed class DlqOptions
    {
        internal const string Section = "Dlq";

        public string? Show { get; set; }

        public string? Redrive { get; set; }

        public string? RedriveReason { get; set; }

        public string? Api { get; set; }

        /// <summary>The API key for <see cref="Api"/> when its writes need one (environment <c>Dlq__ApiKey</c>).</summary>
        public string? ApiKey { get; set; }

        public int Limit { get; set; } = 20;

        public IEnumerable<string> Validate()
        {
            if (Limit is < 1 or > 10_000)
            {
                yield return $"{Section}:{nameof(Limit)} must be between 1 and 10000.";
            }

            if (Redrive is not null && RedriveReason is not null)
            {
                yield return "Give --redrive or --redrive-reason, not both.";
            }

            foreach (var id in Ids(Redrive).Concat(Show is null ? [] : [Show]).Where(id => !TryParseId(id, out _, out _)))
            {
                yield return $"'{id}' is not a dead-letter id (partition:offset).";
            }

            if (Api is not null && !Uri.TryCreate(Api, UriKind.Absolute, out _))
            {
                yield return $"{Section}:{nameof(Api)} must be an absolute URL.";
            }
        }

        internal static IEnumerable<string> Ids(string? list) =>
            list?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

        internal static bool TryParseId(string id, out int partition, out long offset)
        {
            var parts = id.Split(':');
            offset = 0;
            partition = 0;
            return parts.Length == 2 && int.TryParse(parts[0], out partition) && long.TryParse(parts[1], out offset);
        }
    }

    public string Name => "dlq";

    public string Summary => "inspect dead letters (counts by reason, one decoded) and re-drive chosen ones";

    public IReadOnlyList<CommandSwitch> Switches { get; } =
    [
        .. CommonSwitches.Connection,
        CommonSwitches.ApplicationId,
        new("--show", $"{DlqOptions.Section}:{nameof(DlqOptions.Show)}", "decode one dead letter, by id partition:offset"),
        new("--redrive", $"{DlqOptions.Section}:{nameof(DlqOptions.Redrive)}", "re-drive these dead letters (ids partition:offset, comma-separated)"),
        new("--redrive-reason", $"{DlqOptions.Section}:{nameof(DlqOptions.RedriveReason)}", "re-drive every dead letter with this reason"),
        new("--api", $"{DlqOptions.Section}:{nameof(DlqOptions.Api)}", "re-drive through this running instance's API (e.g. http://127.0.0.1:8080)"),
        new("--api-key", $"{DlqOptions.Section}:{nameof(DlqOptions.ApiKey)}", "API key for --api (better: environment Dlq__ApiKey)"),
        new("--limit", $"{DlqOptions.Section}:{nameof(DlqOptions.Limit)}", "how many of the latest dead letters to list (default 20)"),
    ];

    public IHost Build(CommandContext context)
    {
        var builder = CommandHosts.CreateBuilder(context);
        var services = builder.Services;
        services.AddValidatedOptions<KafkaOptions>(builder.Configuration, KafkaOptions.Section, o => o.Validate());
        services.AddValidatedOptions<SchemaRegistryOptions>(builder.Configuration, SchemaRegistryOptions.Section, o => o.Validate());
        services.AddValidatedOptions<DlqOptions>(builder.Configuration, DlqOptions.Section, o => o.Validate());
        services.AddValidatedOptions<BrokerageOptions>(builder.Configuration, BrokerageOptions.SectionName, _ => []);
        // Only the application id: the publisher reads that streams application's applied sequences.
        services.AddValidatedOptions<StreamsOptions>(builder.Configuration, StreamsOptions.Section, _ => []);
        services.AddSingleton<ClusterConnection>();
        services.AddSingleton(sp => sp.GetRequiredService<ClusterConnection>().CreateRegistryClient());
        services.AddSingleton<PublisherHostedService>();
        services.AddHostedService<DlqService>();
        builder.Logging.AddFilter("Microsoft", Microsoft.Extensions.Logging.LogLevel.Warning);
        builder.Logging.AddFilter("PrimeBroker", Microsoft.Extensions.Logging.LogLevel.Warning);
        return builder.Build();
    }

    private sealed class DlqService(IServiceProvider services, IOptions<DlqOptions> options, CommandOutput output, CommandOutcome outcome,
        IHostApplicationLifetime lifetime) : BackgroundService
    {
        private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcome.Fail(e.Message);
            }

            lifetime.StopApplication();
        }

        private async Task RunAsync(CancellationToken cancellationToken)
        {
            var connection = services.GetRequiredService<ClusterConnection>();
            var reader = new DeadLetterReader(connection.Clients, services.GetRequiredService<ISchemaRegistryClient>(),
                services.GetRequiredService<IOptions<BrokerageOptions>>().Value);
            var all = reader.ReadAll(TimeSpan.FromSeconds(60), cancellationToken);
            var o = options.Value;
            var w = output.Writer;
            if (o.Show is { } show)
            {
                var letter = all.FirstOrDefault(l => l.Id == show) ?? throw new InvalidOperationException($"No dead letter {show}.");
                w.WriteLine(JsonSerializer.Serialize(PrimeBrokerApi.ToView(letter), s_json));
                w.WriteLine(letter.Original?.ToString() ?? "(original record does not decode)");
            }
            else if (o.Redrive is not null || o.RedriveReason is not null)
            {
                var ids = DlqOptions.Ids(o.Redrive).ToHashSet();
                var chosen = all.Where(l => ids.Contains(l.Id) || l.Reason == o.RedriveReason).ToList();
                var missing = ids.Except(chosen.Select(c => c.Id)).ToList();
                if (missing.Count > 0)
                {
                    throw new InvalidOperationException($"No dead letters {string.Join(", ", missing)}.");
                }

                IReadOnlyList<RedriveResult> results;
                if (o.Api is { } api)
                {
                    using var http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(60) };
                    if (o.ApiKey is { } key)
                    {
                        http.DefaultRequestHeaders.Add(ApiKeyAuthentication.Header, key);
                    }

                    using var response = await http.PostAsJsonAsync("/dlq/redrive", new RedriveRequest(chosen.Select(c => c.Id).ToList()), cancellationToken);
                    response.EnsureSuccessStatusCode();
                    results = await response.Content.ReadFromJsonAsync<List<RedriveResult>>(cancellationToken) ?? [];
                }
                else
                {
                    var publisher = services.GetRequiredService<PublisherHostedService>();
                    await publisher.StartAsync(cancellationToken);
                    try
                    {
                        results = await DeadLetterRedriver.RedriveAsync(chosen, publisher.Publisher, cancellationToken);
                    }
                    finally
                    {
                        await publisher.StopAsync(CancellationToken.None);
                    }
                }

                foreach (var r in results)
                {
                    w.WriteLine($"{(r.Redriven ? "re-driven" : "skipped"),-10} {r.Id,-12} {r.Detail}");
                }

                if (results.Count == 0)
                {
                    w.WriteLine("nothing to re-drive");
                }
            }
            else
            {
                w.WriteLine($"dead letters: {all.Count}");
                foreach (var group in all.GroupBy(l => l.Reason).OrderByDescending(g => g.Count()))
                {
                    w.WriteLine($"  {group.Key,-32} {group.Count()}");
                }

                foreach (var view in all.TakeLast(o.Limit).Reverse().Select(PrimeBrokerApi.ToView))
                {
                    w.WriteLine($"{view.Id,-12} {view.Timestamp:u} {view.Reason,-28} {view.AccountId} {view.TradeId} {view.InstrumentId} seq {view.SequenceNumber}: {view.Message}");
                }
            }

            w.Flush();
        }
    }
}
