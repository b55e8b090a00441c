using System.Globalization;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.App.Commands;

/// <summary><c>instruments</c>: loads instrument reference data into the instrument topic from a CSV or JSON file
/// (<c>--file</c>), or updates prices of instruments that exist (<c>--price ID=PRICE,...</c>, the rest of their reference
/// data kept from the topic). Prints one line per instrument written and exits; trades on an instrument book only once it
/// is there (before, they are dead-lettered as <c>UnknownInstrument</c>).</summary>
internal sealed class InstrumentsCommand : IHostCommand
{
    internal sealed class InstrumentsOptions
    {
        internal const string Section = "Instruments";

        /// <summary>A CSV (<c>instrumentId,symbol,currency,assetClass,price</c>) or JSON file of instruments.</summary>
        public string? File { get; set; }

        /// <summary>Price updates, <c>ID=PRICE</c> separated by commas.</summary>
        public string? Prices { get; set; }

        public IEnumerable<string> Validate()
        {
            if ((File is null) == (Prices is null))
            {
                yield return "Give --file or --price (one of them).";
            }

            foreach (var entry in Entries(Prices).Where(e => !TryParsePrice(e, out _, out _)))
            {
                yield return $"'{entry}' is not ID=PRICE with a positive price of at most 8 decimal places.";
            }
        }

        internal static IEnumerable<string> Entries(string? list) =>
            list?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

        internal static bool TryParsePrice(string entry, out string id, out decimal price)
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            id = parts[0];
            price = 0;
            return parts.Length == 2 && id.Length > 0
                && decimal.TryParse(parts[1], NumberStyles.Number, CultureInfo.InvariantCulture, out price) && price > 0 && decimal.Round(price, 8) == price;
        }
    }

    public string Name => "instruments";

    public string Summary => "load instrument reference data from a CSV or JSON file (--file), or update prices (--price ID=PRICE,...)";

    public IReadOnlyList<CommandSwitch> Switches { get; } =
    [
        .. CommonSwitches.Connection,
        new("--file", $"{InstrumentsOptions.Section}:{nameof(InstrumentsOptions.File)}", "CSV (instrumentId,symbol,currency,assetClass,price) or .json file to load"),
        new("--price", $"{InstrumentsOptions.Section}:{nameof(InstrumentsOptions.Prices)}", "price updates of existing instruments, ID=PRICE,..."),
    ];

    public IHost Build(CommandContext context)
    {
        var builder = CommandHosts.CreateBuilder(context);
        var services = builder.Services;
        services.AddValidatedOptions<KafkaOptions>(builder.Configuration, KafkaOptions.Section, o => o.Validate());
        services.AddValidatedOptions<SchemaRegistryOptions>(builder.Configuration, SchemaRegistryOptions.Section, o => o.Validate());
        services.AddValidatedOptions<InstrumentsOptions>(builder.Configuration, InstrumentsOptions.Section, o => o.Validate());
        services.AddValidatedOptions<BrokerageOptions>(builder.Configuration, BrokerageOptions.SectionName, _ => []);
        services.AddSingleton<ClusterConnection>();
        services.AddSingleton(sp => sp.GetRequiredService<ClusterConnection>().CreateRegistryClient());
        services.AddHostedService<InstrumentsService>();
        builder.Logging.AddFilter("Microsoft", Microsoft.Extensions.Logging.LogLevel.Warning);
        return builder.Build();
    }

    private sealed class InstrumentsService(ClusterConnection connection, ISchemaRegistryClient registry, IOptions<InstrumentsOptions> options,
        IOptions<BrokerageOptions> brokerage, CommandOutput output, CommandOutcome outcome, IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                var records = options.Value.File is { } file
                    ? InstrumentFile.Read(file, DateTime.UtcNow)
                    : PriceUpdates(new InstrumentTopicReader(connection.Clients, registry, brokerage.Value).ReadLatest(TimeSpan.FromSeconds(60), stoppingToken));
                using (var publisher = new InstrumentPublisher(connection.Clients, registry, brokerage.Value))
                {
                    await publisher.PublishAsync(records, stoppingToken);
                }

                foreach (var r in records)
                {
                    output.Writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"published {r.instrumentId,-16} {r.symbol,-10} {r.currency} {r.assetClass,-12} {Money.FromAvro(r.price):F8}"));
                }

                output.Writer.WriteLine($"{records.Count} instruments written to {brokerage.Value.InstrumentEventsTopic}");
                output.Writer.Flush();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcome.Fail(e.Message);
            }

            lifetime.StopApplication();
        }

        private List<InstrumentUpdated> PriceUpdates(IReadOnlyDictionary<string, InstrumentUpdated> latest)
        {
            var updates = new List<InstrumentUpdated>();
            var unknown = new List<string>();
            foreach (var entry in InstrumentsOptions.Entries(options.Value.Prices))
            {
                InstrumentsOptions.TryParsePrice(entry, out var id, out var price);
                if (!latest.TryGetValue(id, out var current))
                {
                    unknown.Add(id);
                    continue;
                }

                updates.Add(new InstrumentUpdated
                {
                    instrumentId = id, symbol = current.symbol, currency = current.currency, assetClass = current.assetClass,
                    price = Money.ToAvro(price), timestamp = DateTime.UtcNow,
                });
            }

            return unknown.Count == 0 ? updates
                : throw new InvalidOperationException($"No reference data for {string.Join(", ", unknown)}: load them with --file first.");
        }
    }
}
