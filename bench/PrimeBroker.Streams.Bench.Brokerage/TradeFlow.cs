using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>What a send is, seen from the topology.</summary>
internal enum SendKind : byte
{
    /// <summary>A trade sent for the first time, in sequence order.</summary>
    Fresh,

    /// <summary>A fresh trade held back by the generator and sent after the account's next send (its successor
    /// arrives first and waits in the topology's pending store).</summary>
    Reordered,

    /// <summary>The exact bytes of an earlier send again (a producer retry): sequence number below the expected one.</summary>
    ExactDuplicate,

    /// <summary>An earlier trade re-sent with a fresh sequence number and its original idempotency key.</summary>
    Resequenced,
}

/// <summary>One unique trade.</summary>
internal readonly record struct ScriptTrade(int Account, int Instrument, bool Buy, decimal Quantity, decimal Price);

/// <summary>
/// A deterministic stream of sends to trade-events over many accounts, handed out in chunks that are serialized up
/// front (producing then costs the timed phases no Avro work). Sequence numbers continue across chunks per account.
/// </summary>
/// <remarks>
/// Mix: each send picks an account uniformly. With probability <c>duplicate%</c> it repeats the account's last send
/// (half exact redeliveries with the same bytes, half re-sequenced with the original tradeId and idempotency key);
/// with probability <c>resend%</c> a fresh trade is held back and sent right after the account's next send, so its
/// successor arrives first. Partitions are Java-compatible murmur2 of the account key, as every producer of
/// trade-events must use (TradePublisher does); offsets are the send order within a partition (one idempotent
/// producer, fresh topic, no transactions). Not thread-safe.
/// </remarks>
internal sealed class TradeFlow
{
    private readonly BrokerageBenchOptions _options;
    private readonly ISerializer<ISpecificRecord> _serializer;
    private readonly Random _random;
    private readonly SerializationContext _context = new(MessageComponentType.Value, PrimeBrokerTopics.TradeEvents);
    private readonly int[] _accountPartition;
    private readonly long[] _nextSequence;
    private readonly AccountLast?[] _last;
    private readonly Dictionary<int, (int Trade, long Sequence, byte[] Value)> _heldBack = new();
    private readonly List<ScriptTrade> _trades = new();
    private readonly int[] _offsets;

    public TradeFlow(BrokerageBenchOptions options, InstrumentCatalog instruments, int partitions, ISerializer<ISpecificRecord> serializer, int seed)
    {
        _options = options;
        Instruments = instruments;
        Partitions = partitions;
        _serializer = serializer;
        _random = new Random(seed);
        AccountKeys = Enumerable.Range(0, options.Accounts).Select(a => Encoding.UTF8.GetBytes(AccountId(a))).ToArray();
        _accountPartition = AccountKeys.Select(k => Partitioning.ForKey(k, partitions)).ToArray();
        _nextSequence = new long[options.Accounts];
        _last = new AccountLast?[options.Accounts];
        _offsets = new int[partitions];
    }

    public InstrumentCatalog Instruments { get; }

    public int Partitions { get; }

    public byte[][] AccountKeys { get; }

    /// <summary>Every unique trade so far; trade <c>t</c> has tradeId <see cref="TradeId"/>(t).</summary>
    public IReadOnlyList<ScriptTrade> Trades => _trades;

    public static string TradeId(int trade) => $"T{trade:D9}";

    public static string IdempotencyKey(int trade) => $"K{trade:D9}";

    public static string AccountId(int account) => $"ACC-{account:D5}";

    /// <summary>The next chunk: sends until <paramref name="uniqueTrades"/> new trades were created.</summary>
    /// <param name="releaseHeldBack">Send every held-back trade at the end (the last chunk of a run).</param>
    public TradeChunk Next(int uniqueTrades, bool releaseHeldBack)
    {
        var chunk = new TradeChunk(this, _trades.Count, uniqueTrades + uniqueTrades / 8);
        var timestamp = DateTime.UtcNow;
        var duplicateShare = _options.DuplicatePercent / 100.0;
        var reorderShare = _options.ResendPercent / 100.0;
        var created = 0;
        while (created < uniqueTrades)
        {
            var account = _random.Next(_options.Accounts);
            var roll = _random.NextDouble();
            if (roll < duplicateShare && _last[account] is { } last)
            {
                if (_random.Next(2) == 0)
                {
                    Place(chunk, account, last.Trade, last.Sequence, last.Value, SendKind.ExactDuplicate);
                }
                else
                {
                    var sequence = ++_nextSequence[account];
                    Place(chunk, account, last.Trade, sequence, Serialize(last.Trade, sequence, timestamp), SendKind.Resequenced);
                }

                ReleaseHeldBack(chunk, account);
                continue;
            }

            var instrument = _random.Next(Instruments.Count);
            var price = Math.Max(0.01m, Instruments.Price(instrument) + _random.Next(-50, 51) / 100m);
            var trade = _trades.Count;
            _trades.Add(new ScriptTrade(account, instrument, _random.Next(2) == 0, _random.Next(1, 1001), price));
            var sequenceOfTrade = ++_nextSequence[account];
            var value = Serialize(trade, sequenceOfTrade, timestamp);
            if (roll < duplicateShare + reorderShare && !_heldBack.ContainsKey(account))
            {
                _heldBack[account] = (trade, sequenceOfTrade, value);
            }
            else
            {
                Place(chunk, account, trade, sequenceOfTrade, value, SendKind.Fresh);
                ReleaseHeldBack(chunk, account);
            }

            created++;
        }

        if (releaseHeldBack)
        {
            foreach (var account in _heldBack.Keys.Order().ToList())
            {
                ReleaseHeldBack(chunk, account);
            }
        }

        chunk.Seal(_trades.Count);
        return chunk;
    }

    private void ReleaseHeldBack(TradeChunk chunk, int account)
    {
        if (_heldBack.Remove(account, out var held))
        {
            Place(chunk, account, held.Trade, held.Sequence, held.Value, SendKind.Reordered);
        }
    }

    private void Place(TradeChunk chunk, int account, int trade, long sequence, byte[] value, SendKind kind)
    {
        var partition = _accountPartition[account];
        chunk.Add(account, trade, sequence, value, kind, partition, _offsets[partition]++);
        _last[account] = new AccountLast(trade, sequence, value);
    }

    private byte[] Serialize(int trade, long sequence, DateTime timestamp)
    {
        var t = _trades[trade];
        return _serializer.Serialize(new TradeCreated
        {
            tradeId = TradeId(trade),
            accountId = AccountId(t.Account),
            instrumentId = Instruments.Id(t.Instrument),
            quantity = Money.ToAvro(t.Quantity),
            price = Money.ToAvro(t.Price),
            currency = Instruments.Currency(t.Instrument),
            side = t.Buy ? TradeSide.BUY : TradeSide.SELL,
            timestamp = timestamp,
            idempotencyKey = IdempotencyKey(trade),
            sequenceNumber = sequence,
        }, _context);
    }

    private sealed record AccountLast(int Trade, long Sequence, byte[] Value);
}

/// <summary>
/// Consecutive sends of a <see cref="TradeFlow"/>, with, once <see cref="RunOracle"/> ran over a chunk that is a whole
/// run, what the topology must do with each unique trade: the send whose record it applies and the send at whose
/// processing the trade's position, ledger entry and settlement are emitted (a held trade is emitted when the send
/// that fills its gap is processed).
/// </summary>
internal sealed class TradeChunk
{
    private readonly List<byte[]> _values;
    private readonly List<int> _account = new();
    private readonly List<int> _trade = new();
    private readonly List<long> _sequence = new();
    private readonly List<SendKind> _kind = new();
    private readonly List<int> _partition = new();
    private readonly List<int> _offset = new();

    public TradeChunk(TradeFlow flow, int firstTrade, int capacity)
    {
        Flow = flow;
        FirstTrade = firstTrade;
        _values = new List<byte[]>(capacity);
    }

    public TradeFlow Flow { get; }

    /// <summary>Index of the first unique trade created in this chunk.</summary>
    public int FirstTrade { get; }

    /// <summary>One past the last unique trade created in this chunk.</summary>
    public int EndTrade { get; private set; }

    public int Count => _values.Count;

    public IReadOnlyList<byte[]> Values => _values;

    public IReadOnlyList<int> Partition => _partition;

    public IReadOnlyList<int> Offset => _offset;

    public IReadOnlyList<SendKind> Kind => _kind;

    public IReadOnlyList<int> Account => _account;

    public long ValueBytes { get; private set; }

    /// <summary>Per trade (index minus <see cref="FirstTrade"/>): the send applied, or -1; set by <see cref="RunOracle"/>.</summary>
    public int[] AppliedSend { get; private set; } = [];

    /// <summary>Per trade (index minus <see cref="FirstTrade"/>): the send whose processing emits its outputs, or -1.</summary>
    public int[] EmitSend { get; private set; } = [];

    public int CountOf(SendKind kind) => _kind.Count(k => k == kind);

    internal void Add(int account, int trade, long sequence, byte[] value, SendKind kind, int partition, int offset)
    {
        _values.Add(value);
        _account.Add(account);
        _trade.Add(trade);
        _sequence.Add(sequence);
        _kind.Add(kind);
        _partition.Add(partition);
        _offset.Add(offset);
        ValueBytes += value.Length;
    }

    internal void Seal(int endTrade) => EndTrade = endTrade;

    /// <summary>
    /// The topology's rules 3 and 4 as a plain loop, written apart from the topology, over this chunk as a whole run
    /// (accounts start at sequence 1): per account, a sequence number below the expected one is skipped; above, held
    /// until the gap fills; equal, applied unless its idempotency key was applied before; then held successors are
    /// released in order.
    /// </summary>
    /// <param name="sends">Only the first this many sends (a run that stopped sending early); null = all.</param>
    public void RunOracle(int? sends = null)
    {
        var trades = EndTrade - FirstTrade;
        AppliedSend = Enumerable.Repeat(-1, trades).ToArray();
        EmitSend = Enumerable.Repeat(-1, trades).ToArray();
        var expected = new Dictionary<int, long>();
        var held = new Dictionary<int, SortedDictionary<long, int>>();
        for (var s = 0; s < (sends ?? Count); s++)
        {
            var account = _account[s];
            var next = expected.GetValueOrDefault(account, 1L);
            if (_sequence[s] < next)
            {
                continue;
            }

            if (_sequence[s] > next)
            {
                if (!held.TryGetValue(account, out var waiting))
                {
                    held[account] = waiting = new SortedDictionary<long, int>();
                }

                waiting.TryAdd(_sequence[s], s);
                continue;
            }

            Apply(s, s);
            if (held.TryGetValue(account, out var pending))
            {
                while (pending.Remove(expected[account], out var released))
                {
                    Apply(released, s);
                }
            }
        }

        void Apply(int send, int emittedBy)
        {
            var account = _account[send];
            expected[account] = expected.GetValueOrDefault(account, 1L) + 1;
            var trade = _trade[send] - FirstTrade;
            if (AppliedSend[trade] >= 0)
            {
                return; // idempotency: the key was applied already (a re-sequenced retry)
            }

            AppliedSend[trade] = send;
            EmitSend[trade] = emittedBy;
        }
    }
}
