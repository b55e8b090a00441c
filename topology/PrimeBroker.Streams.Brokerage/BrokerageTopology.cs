using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Brokerage.Processing;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// Builds the prime-broker topology on the engine's public API. One sub-topology reads <c>trade-events</c> (keyed by
/// account) and runs the rule processors in order, each handling its rule and passing everything else on:
/// <list type="number">
/// <item><description>decode with the writer schema, registry retries in place (rules 1, 2);</description></item>
/// <item><description>sequence per account: skip, pass and release, or hold (rule 3), and the operator's gap resolution;</description></item>
/// <item><description>required ids (rule 5; the event consumes its sequence number from here on);</description></item>
/// <item><description>idempotency (rule 4);</description></item>
/// <item><description>business validation against the trades store and the global instrument table (rules 5, 10);</description></item>
/// <item><description>positions (rule 6), keyed by (account, instrument) and placed by account (no repartition):
/// recomputed from the position's live trades when a trade is amended or cancelled;</description></item>
/// <item><description>booking into the trades store (amend and cancel become reversals of cash and securities);</description></item>
/// <item><description>ledger postings with the realized-P&amp;L leg (rule 7) and settlement instructions (rule 8).</description></item>
/// </list>
/// Dead letters, alerts, ledger, settlement and position events are routed to their topics at the end; everything a
/// record causes commits in one transaction with its input offset.
/// </summary>
public static class BrokerageTopology
{
    /// <summary>Logger category of the topology's messages.</summary>
    public const string LoggerCategory = "PrimeBroker.Streams.Brokerage";

    /// <summary>Builds the topology.</summary>
    /// <param name="options">Validated here; immutable, so the topology keeps it as it is.</param>
    /// <param name="registry">Schema registry client for every Avro serde; not disposed by the topology.</param>
    /// <param name="services">Clock, logging, metrics and health; null for defaults.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public static Topology Build(BrokerageOptions options, ISchemaRegistryClient registry, BrokerageServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        options.Validate();
        services ??= new BrokerageServices();
        var env = new RuleEnvironment
        {
            Options = options,
            Metrics = services.Metrics ?? new BrokerageMetrics(),
            Health = services.Health,
            Logger = services.LoggerFactory?.CreateLogger(LoggerCategory) ?? NullLogger.Instance,
            TimeProvider = services.TimeProvider,
            RegistryRetry = RegistryRetryPipeline(options.RegistryRetry, services.TimeProvider),
            Calendar = new SettlementCalendar(options.SettlementHolidays),
        };

        var avro = new AvroSerdeOptions { AutoRegisterSchemas = options.AutoRegisterSchemas };
        Serde<Avro.Specific.ISpecificRecord> tradeEvents = TradeEventSerdes.ForTradeEvents(registry, avro);
        var builder = new StreamsBuilder();
        AddStores(builder);
        builder.GlobalTable(options.InstrumentEventsTopic, Consumed.With(Serdes.String, AvroSerdes.For<InstrumentUpdated>(registry, avro)), BrokerageStores.Instruments);

        IKStream<string, Flow> flow = builder
            .Stream(options.TradeEventsTopic, Consumed.With(Serdes.ByteArray, Serdes.ByteArray) with { Name = "trade-events-source" })
            .Process(() => new DecodeProcessor(env, tradeEvents.Deserializer), DecodeProcessor.StoreNames, "rule-1-2-decode")
            .ProcessValues(() => new SequenceProcessor(env), SequenceProcessor.StoreNames, "rule-3-sequence")
            .ProcessValues(() => new RequiredIdsProcessor(env), RequiredIdsProcessor.StoreNames, "rule-5-required-ids")
            .ProcessValues(() => new IdempotencyProcessor(env), IdempotencyProcessor.StoreNames, "rule-4-idempotency")
            .ProcessValues(() => new ValidationProcessor(env), ValidationProcessor.StoreNames, "rule-5-validate")
            .ProcessValues(() => new PositionProcessor(env), PositionProcessor.StoreNames, "rule-6-positions")
            .ProcessValues(() => new BookingProcessor(env), BookingProcessor.StoreNames, "book")
            .ProcessValues(() => new LedgerProcessor(env), LedgerProcessor.StoreNames, "rule-7-ledger")
            .ProcessValues(() => new SettlementProcessor(env), SettlementProcessor.StoreNames, "rule-8-settlement");

        IReadOnlyDictionary<string, IKStream<string, Flow>> routes = flow.Split("route")
            .Branch((_, v) => v is DeadLetterFlow, Branched.As("dead-letters"))
            .Branch((_, v) => v is AlertFlow, Branched.As("alerts"))
            .Branch((_, v) => v is LedgerFlow, Branched.As("ledger"))
            .Branch((_, v) => v is SettlementFlow, Branched.As("settlement"))
            .Branch((_, v) => v is PositionFlow, Branched.As("positions"))
            .DefaultBranch(Branched.As("unrouted"));

        routes["dead-letters"]
            .Map((_, v) => new KeyValuePair<byte[], FailedTradeEvent>(((DeadLetterFlow)v).OriginalKey!, ((DeadLetterFlow)v).Record), "dead-letter-record")
            .To(options.DeadLetterTopic, Produced.With(Serdes.ByteArray, AvroSerdes.For<FailedTradeEvent>(registry, avro)));
        routes["alerts"]
            .MapValues(v => ((AlertFlow)v).Alert, "alert-record")
            .To(options.AlertsTopic, Produced.With(Serdes.String, AvroSerdes.For<BrokerageAlert>(registry, avro)));
        routes["ledger"]
            .MapValues(v => ((LedgerFlow)v).Entry, "ledger-record")
            .To(options.LedgerEventsTopic, Produced.With(Serdes.String, AvroSerdes.For<LedgerEntryCreated>(registry, avro)));
        routes["settlement"]
            .MapValues(v => ((SettlementFlow)v).Status, "settlement-record")
            .To(options.SettlementEventsTopic, Produced.With(Serdes.String, AvroSerdes.For<SettlementStatusChanged>(registry, avro)));
        routes["unrouted"].Peek((_, v) => throw new InvalidOperationException($"A {v.GetType().Name} reached the end of the topology unrouted."), "unrouted-check");

        routes["positions"]
            .MapValues(v => ((PositionFlow)v).Update, "position-record")
            .To(options.PositionEventsTopic, Produced.With(Serdes.String, AvroSerdes.For<PositionUpdated>(registry, avro)));

        return builder.Build();
    }

    private static void AddStores(StreamsBuilder builder)
    {
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.Positions, Serdes.String, JsonSerde.For<PositionEntry>(PositionEntry.Check)));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.PositionTrades, Serdes.String, JsonSerde.For<PositionTrade>()));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.Sequences, Serdes.String, Serdes.Int64));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.Pending, Serdes.String, JsonSerde.For<HeldEvent>()));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.GapCommands, Serdes.String, Serdes.Int64));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.Gaps, Serdes.String, JsonSerde.For<GapState>(GapState.Check)));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.SequenceLog, Serdes.String, JsonSerde.For<SequenceEntry>()));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.SequenceLogByTime, Serdes.String, Serdes.String));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.AwaitingRedrive, Serdes.String, JsonSerde.For<AwaitingRedrive>()));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.Idempotency, Serdes.String, JsonSerde.For<IdempotencyEntry>()));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.IdempotencyByTime, Serdes.String, Serdes.String));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.Trades, Serdes.String, JsonSerde.For<TradeState>()));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.TradesBySettlement, Serdes.String, Serdes.String));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.LedgerBalances, Serdes.String, JsonSerde.For<LedgerBalanceEntry>()));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.SettlementLadder, Serdes.String, JsonSerde.For<SettlementLadderEntry>()));
        builder.AddStateStore(Stores.PersistentKeyValueStore(BrokerageStores.Counters, Serdes.String, Serdes.Int64));
    }

    private static ResiliencePipeline RegistryRetryPipeline(RegistryRetryOptions retry, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (retry.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                ShouldHandle = new PredicateBuilder().Handle<EventDeserializationException>(
                    e => e.Reason == DeserializationFailureReason.SchemaRegistryUnavailable),
            });
        }

        return builder.Build();
    }
}
