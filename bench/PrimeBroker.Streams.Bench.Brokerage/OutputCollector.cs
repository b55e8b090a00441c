using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// Reads the topology's outputs (position-events, ledger-events, settlement-events, trade-events-dlq, alerts) from
/// offset 0 while they are written, decoding positions, ledger entries and settlements as they come (on its own thread,
/// so the check after the run is only bookkeeping) and counting the rest. It must keep up:
/// the embedded cluster keeps only the newest 5 MiB per partition, and a day's ledger is larger than that, so the
/// outputs can only be checked by reading them as they come. A record that fell off the log before it was read is an
/// error (<c>auto.offset.reset=error</c>), never a silent skip.
/// </summary>
internal sealed class OutputCollector : IDisposable
{
    public static readonly string[] Topics =
    [
        PrimeBrokerTopics.PositionEvents, PrimeBrokerTopics.LedgerEvents, PrimeBrokerTopics.SettlementEvents,
        PrimeBrokerTopics.TradeEventsDlq, PrimeBrokerTopics.Alerts,
    ];

    private readonly Dictionary<string, long> _undecoded = Topics.ToDictionary(t => t, _ => 0L);
    private readonly IDeserializer<PositionUpdated> _positions;
    private readonly IDeserializer<LedgerEntryCreated> _ledger;
    private readonly IDeserializer<SettlementStatusChanged> _settlements;
    private readonly Dictionary<string, long> _counts = Topics.ToDictionary(t => t, _ => 0L);
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly Thread _thread;
    private readonly HashSet<string>? _origins;
    private readonly Action<PositionUpdated, long>? _onPosition;
    private volatile bool _stop;

    /// <param name="bootstrap">The cluster.</param>
    /// <param name="registry">The registry the outputs' schemas are in.</param>
    /// <param name="dropRepeats">Skip an output read before on the same topic (same <c>pbs.origin</c> header, or the
    /// same key and value bytes where there is none, see <see cref="RepeatKey"/>): on the embedded cluster a killed owner's uncommitted outputs stay visible and its
    /// successor sends the same outputs again (see <see cref="Repeats"/>). A wrong double application still shows: the
    /// positions carry running quantities, checked against the oracle.</param>
    /// <param name="onPosition">Called on the reading thread for each position read (after repeats were dropped), with
    /// the time it was read (Stopwatch ticks).</param>
    public OutputCollector(string bootstrap, ISchemaRegistryClient registry, bool dropRepeats = false, Action<PositionUpdated, long>? onPosition = null)
    {
        _onPosition = onPosition;
        _origins = dropRepeats ? new HashSet<string>(StringComparer.Ordinal) : null;
        _positions = AvroSerdes.For<PositionUpdated>(registry).Deserializer;
        _ledger = AvroSerdes.For<LedgerEntryCreated>(registry).Deserializer;
        _settlements = AvroSerdes.For<SettlementStatusChanged>(registry).Deserializer;
        _consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "bench-output-collector",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Error,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchMaxBytes = 50 * 1024 * 1024,
            MaxPartitionFetchBytes = 10 * 1024 * 1024,
            QueuedMinMessages = 100_000,
        }).Build();
        _consumer.Assign(Topics.SelectMany(t => Enumerable.Range(0, BrokerageEnvironment.PartitionsOf(t))
            .Select(p => new TopicPartitionOffset(t, p, Offset.Beginning))));
        _thread = new Thread(Run) { IsBackground = true, Name = "output-collector" };
        _thread.Start();
    }

    /// <summary>Why reading stopped early, if it did (for example a record fell off the log before it was read).</summary>
    public string? Error { get; private set; }

    public long CountOf(string topic)
    {
        lock (_counts)
        {
            return _counts[topic];
        }
    }

    public List<PositionUpdated> Positions { get; } = new();

    /// <summary>Per entry of <see cref="Positions"/>: when it was read (Stopwatch ticks).</summary>
    public List<long> PositionArrivals { get; } = new();

    /// <summary>Outputs skipped as repeats of an origin read before (only with <c>dropRepeats</c>).</summary>
    public long Repeats { get; private set; }

    public List<LedgerEntryCreated> LedgerEntries { get; } = new();

    public List<SettlementStatusChanged> Settlements { get; } = new();

    /// <summary>Records read from <paramref name="topic"/> that are not decoded (dead letters, alerts).</summary>
    public long UndecodedOf(string topic) => _undecoded[topic];

    /// <summary>Stops reading; the lists are complete afterwards.</summary>
    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    /// <summary>What makes an output a repeat: its <c>pbs.origin</c> header where the engine writes one (outputs of topics
    /// it reads back), else its exact key and value bytes on the same topic. The engine writes no origin on these output
    /// topics; a successor that redoes a killed owner's uncommitted work writes byte-identical records (the values carry
    /// event times, not wall-clock times), while a double application of a trade writes a different running position.</summary>
    private static string RepeatKey(ConsumeResult<byte[], byte[]> result) =>
        result.Message.Headers.TryGetLastBytes("pbs.origin", out var origin)
            ? result.Topic + "|origin|" + System.Text.Encoding.UTF8.GetString(origin)
            : result.Topic + "|bytes|" + Convert.ToBase64String(result.Message.Key ?? []) + "|" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(result.Message.Value ?? []));

    private void Run()
    {
        try
        {
            while (!_stop)
            {
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(50));
                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                if (_origins is not null && !_origins.Add(RepeatKey(result)))
                {
                    Repeats++;
                    continue;
                }

                var context = new SerializationContext(MessageComponentType.Value, result.Topic);
                switch (result.Topic)
                {
                    case PrimeBrokerTopics.PositionEvents:
                        var position = _positions.Deserialize(result.Message.Value, false, context);
                        var arrived = System.Diagnostics.Stopwatch.GetTimestamp();
                        Positions.Add(position);
                        PositionArrivals.Add(arrived);
                        _onPosition?.Invoke(position, arrived);
                        break;
                    case PrimeBrokerTopics.LedgerEvents:
                        LedgerEntries.Add(_ledger.Deserialize(result.Message.Value, false, context));
                        break;
                    case PrimeBrokerTopics.SettlementEvents:
                        Settlements.Add(_settlements.Deserialize(result.Message.Value, false, context));
                        break;
                    default:
                        _undecoded[result.Topic]++;
                        break;
                }

                lock (_counts)
                {
                    _counts[result.Topic]++;
                }
            }
        }
        catch (ConsumeException ex)
        {
            Error = $"reading outputs failed at {ex.ConsumerRecord?.TopicPartitionOffset}: {ex.Error.Reason}";
        }
    }

    public void Dispose()
    {
        if (!_stop)
        {
            Stop();
        }

        _consumer.Close();
        _consumer.Dispose();
    }
}
