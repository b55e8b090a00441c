using Avro.Specific;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Brokerage.Tests.Fakes;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Brokerage.Tests.Fixtures;

/// <summary>
/// The brokerage topology in a <see cref="TopologyTestDriver"/>: typed input and output topics, the queries, the health
/// signal, a registry that can be taken down, and a clock for the registry retries that never waits.
/// </summary>
public sealed class BrokerageHarness : IDisposable
{
    private readonly TestInputTopic<string, ISpecificRecord> _trades;
    private readonly TestInputTopic<string, InstrumentUpdated> _instruments;

    public BrokerageHarness(RegistryFixture fixture, Func<BrokerageOptions, BrokerageOptions>? configure = null, TopologyTestDriverOptions? driverOptions = null,
        bool withInstruments = true, Action<FlakyRegistryClient>? registryBeforeStart = null, DateTimeOffset? wallClockStart = null)
    {
        (ISchemaRegistryClient topologyClient, Registry) = FlakyRegistryClient.Wrap(fixture.Client);
        registryBeforeStart?.Invoke(Registry);
        Options = configure?.Invoke(new BrokerageOptions()) ?? new BrokerageOptions();
        Services = new BrokerageServices { TimeProvider = Clock };
        Topology = BrokerageTopology.Build(Options, topologyClient, Services);
        // The wall clock starts a day after Events.Monday, so the fixtures' event times are in the past (rule 5 refuses
        // event times beyond MaxEventTimeAhead of the wall clock).
        Driver = new TopologyTestDriver(Topology, (driverOptions ?? new TopologyTestDriverOptions()) with { StartTime = wallClockStart ?? WallClockStart });
        Queries = new BrokerageQueries(Driver);

        ISchemaRegistryClient client = fixture.Client;
        _trades = Driver.CreateInputTopic(Options.TradeEventsTopic, Serdes.String, TradeEventSerdes.ForTradeEvents(client));
        _instruments = Driver.CreateInputTopic(Options.InstrumentEventsTopic, Serdes.String, AvroSerdes.For<InstrumentUpdated>(client));
        Positions = Driver.CreateOutputTopic(Options.PositionEventsTopic, Serdes.String, AvroSerdes.For<PositionUpdated>(client));
        Ledger = Driver.CreateOutputTopic(Options.LedgerEventsTopic, Serdes.String, AvroSerdes.For<LedgerEntryCreated>(client));
        Settlements = Driver.CreateOutputTopic(Options.SettlementEventsTopic, Serdes.String, AvroSerdes.For<SettlementStatusChanged>(client));
        DeadLetters = Driver.CreateOutputTopic(Options.DeadLetterTopic, Serdes.ByteArray, AvroSerdes.For<FailedTradeEvent>(client));
        Alerts = Driver.CreateOutputTopic(Options.AlertsTopic, Serdes.String, AvroSerdes.For<BrokerageAlert>(client));
        if (withInstruments)
        {
            AddInstrument(Events.Instrument("AAPL", "USD", 190m));
            AddInstrument(Events.Instrument("MSFT", "USD", 410m));
            AddInstrument(Events.Instrument("VOD", "GBP", 0.72m));
            AddInstrument(Events.Instrument("SAP", "EUR", 180m));
        }
    }

    /// <summary>The driver's initial wall clock: Tuesday 6 January 2026, 10:00 UTC.</summary>
    public static readonly DateTimeOffset WallClockStart = new(Events.Monday.AddDays(1), TimeSpan.Zero);

    public BrokerageOptions Options { get; }

    public BrokerageServices Services { get; }

    public BrokerageHealth Health => Services.Health;

    public InstantTimeProvider Clock { get; } = new();

    public FlakyRegistryClient Registry { get; }

    public Topology Topology { get; }

    public TopologyTestDriver Driver { get; }

    public BrokerageQueries Queries { get; }

    public TestOutputTopic<string, PositionUpdated> Positions { get; }

    public TestOutputTopic<string, LedgerEntryCreated> Ledger { get; }

    public TestOutputTopic<string, SettlementStatusChanged> Settlements { get; }

    public TestOutputTopic<byte[], FailedTradeEvent> DeadLetters { get; }

    public TestOutputTopic<string, BrokerageAlert> Alerts { get; }

    public void AddInstrument(InstrumentUpdated instrument) => _instruments.PipeInput(instrument.instrumentId, instrument);

    /// <summary>Pipes a record onto trade-events keyed by its account (or by <paramref name="key"/>).</summary>
    public void Send(ISpecificRecord record, string? key = null) => _trades.PipeInput(key ?? Events.AccountOf(record), record);

    /// <summary>Pipes a record keyed by its account with the Kafka timestamp <paramref name="at"/> (the producer's
    /// create time).</summary>
    public void SendAt(ISpecificRecord record, DateTimeOffset at) => _trades.PipeInput(Events.AccountOf(record), record, at.ToUnixTimeMilliseconds());

    public void Send(params ISpecificRecord[] records)
    {
        foreach (ISpecificRecord record in records)
        {
            Send(record);
        }
    }

    public void SendRaw(byte[]? key, byte[]? value) => _trades.PipeRaw(key, value);

    /// <summary>Serializes a record as the producers do (for tests that then damage the bytes).</summary>
    public byte[] Serialize(ISpecificRecord record, RegistryFixture fixture) =>
        TradeEventSerdes.ForTradeEvents(fixture.Client).Serializer.Serialize(
            record, new Confluent.Kafka.SerializationContext(Confluent.Kafka.MessageComponentType.Value, Options.TradeEventsTopic));

    public Position Position(string account, string instrument) =>
        Queries.PositionOf(account, instrument) ?? throw new Xunit.Sdk.XunitException($"No position of {account} in {instrument}.");

    public void Dispose() => Driver.Dispose();
}
