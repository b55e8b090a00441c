using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// Read-only queries over the LOCAL stores of an <see cref="IQueryableStoreProvider"/>: a running
/// <see cref="StreamsApplication"/> (committed data of this instance's tasks) or the test driver. Deciding whether an
/// account is local is the caller's job:
/// <c>application.QueryMetadataForKey(BrokerageStores.Positions, accountId, Serializers.Utf8)</c> names the owner,
/// because every store of an account is placed by the account id's murmur2 partition on <c>trade-events</c>.
/// </summary>
/// <remarks>Thread-safe over a <see cref="StreamsApplication"/>; a driver is single-threaded, so use it from the test's
/// thread only. Methods throw <see cref="BrokerageInvariantException"/> when a stored value fails its checks.</remarks>
public sealed class BrokerageQueries
{
    private readonly IQueryableStoreProvider _stores;

    /// <summary>Queries the stores of <paramref name="stores"/>: a running application (committed data of its local
    /// tasks) or a test driver (including writes not yet committed, as its processors see them).</summary>
    public BrokerageQueries(IQueryableStoreProvider stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        _stores = stores;
    }

    /// <summary>The positions of <paramref name="accountId"/> in every instrument it traded, ordered by instrument id
    /// (ordinal); a prefix scan of the positions KTable. Empty when the account is unknown here.</summary>
    public IReadOnlyList<Position> PositionsOf(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return [.. Store<PositionEntry>(BrokerageStores.Positions)
            .Range(StoreKeys.AccountPrefix(accountId), StoreKeys.AccountPrefixEnd(accountId))
            .Select(entry => entry.Value.Position)];
    }

    /// <summary>The position of <paramref name="accountId"/> in <paramref name="instrumentId"/>, or null if it never traded it here.</summary>
    public Position? PositionOf(string accountId, string instrumentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(instrumentId);
        return Store<PositionEntry>(BrokerageStores.Positions).TryGet(StoreKeys.Position(accountId, instrumentId), out PositionEntry? entry)
            ? entry!.Position
            : null;
    }

    /// <summary>Reference data and latest price of an instrument (global table: every instance has all), or null.</summary>
    /// <exception cref="PrimeBroker.Streams.Serialization.EventDeserializationException">The stored record cannot be decoded
    /// (for example the registry is unreachable for a schema id not seen before).</exception>
    public Instrument? InstrumentOf(string instrumentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(instrumentId);
        return Store<InstrumentUpdated>(BrokerageStores.Instruments).TryGet(instrumentId, out InstrumentUpdated? i) && i is not null ? ToInstrument(i) : null;
    }

    /// <summary>Every instrument of the global table, ordered by instrument id (ordinal); the same on every instance.</summary>
    /// <exception cref="PrimeBroker.Streams.Serialization.EventDeserializationException">A stored record cannot be decoded.</exception>
    public IReadOnlyList<Instrument> Instruments() =>
        [.. Store<InstrumentUpdated>(BrokerageStores.Instruments).All().Where(e => e.Value is not null).Select(e => ToInstrument(e.Value))];

    /// <summary>Every position of the local tasks, ordered by account then instrument; a scan of the positions store,
    /// read lazily (enumerate it once, on the thread that asked).</summary>
    public IEnumerable<Position> Positions() => Store<PositionEntry>(BrokerageStores.Positions).All().Select(entry => entry.Value.Position);

    /// <summary>The ledger balances of <paramref name="accountId"/>, one per currency it booked in, ordered by currency.</summary>
    public IReadOnlyList<LedgerBalance> LedgerBalancesOf(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return [.. Store<LedgerBalanceEntry>(BrokerageStores.LedgerBalances)
            .Range(StoreKeys.AccountPrefix(accountId), StoreKeys.AccountPrefixEnd(accountId))
            .Select(e => ToBalance(e.Key, e.Value))];
    }

    /// <summary>The ledger balance of every (account, currency) of the local tasks, ordered by account then currency.</summary>
    public IReadOnlyList<LedgerBalance> LedgerBalances() =>
        [.. Store<LedgerBalanceEntry>(BrokerageStores.LedgerBalances).All().Select(e => ToBalance(e.Key, e.Value))];

    /// <summary>
    /// The settlement ladder of the local tasks: per value date from <paramref name="fromValueDate"/> on and per currency,
    /// the booked trades that are not cancelled, by settlement status, and the cash their open (pending or failed)
    /// settlements pay and receive; ordered by date then currency. Reads the running totals the processors keep in
    /// <see cref="BrokerageStores.SettlementLadder"/> from that date on: the cost grows with the rungs (dates × currencies),
    /// not with the trades.
    /// </summary>
    public IReadOnlyList<SettlementLadderRow> SettlementLadder(DateOnly fromValueDate)
    {
        // Each local task holds its own rungs: the same (date, currency) comes once per task that booked in it.
        var rows = new SortedDictionary<string, SettlementLadderRow>(StringComparer.Ordinal);
        foreach (var (key, entry) in Store<SettlementLadderEntry>(BrokerageStores.SettlementLadder).Range(StoreKeys.SettlementLadderFrom(fromValueDate), null))
        {
            SettlementLadderRow row = entry.ToRow(StoreKeys.ValueDateOfLadder(key), StoreKeys.CurrencyOfLadder(key));
            rows[key] = rows.TryGetValue(key, out SettlementLadderRow? sum) ? sum.Add(row) : row;
        }

        return [.. rows.Values];
    }

    /// <summary>The next sequence number <paramref name="accountId"/> needs (1 for an account never seen here).</summary>
    public long ExpectedSequenceOf(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return Store<long>(BrokerageStores.Sequences).TryGet(accountId, out long next) ? next : 1;
    }

    /// <summary>Where the settlement of <paramref name="accountId"/>'s trade <paramref name="tradeId"/> stands (the
    /// lifecycle of rule 8), or null when the trade is not (or no longer) in the trades store here or is another account's.</summary>
    public Settlement? SettlementOf(string accountId, string tradeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(tradeId);
        return Store<Domain.TradeState>(BrokerageStores.Trades).TryGet(tradeId, out Domain.TradeState? trade) && trade!.AccountId == accountId
            ? new Settlement($"{tradeId}:settlement", tradeId, accountId, trade.Status, trade.SettlementDate, trade.SettlementCommands?.Count ?? 0)
            : null;
    }

    /// <summary>Every open gap of the local tasks, ordered by account id.</summary>
    public IReadOnlyList<SequenceGap> OpenGaps() =>
        [.. Store<GapState>(BrokerageStores.Gaps).All().Select(e => ToGap(e.Key, e.Value))];

    /// <summary>The open gap of <paramref name="accountId"/>, or null.</summary>
    public SequenceGap? GapOf(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return Store<GapState>(BrokerageStores.Gaps).TryGet(accountId, out GapState? gap) ? ToGap(accountId, gap!) : null;
    }

    /// <summary>Counters summed over the local tasks.</summary>
    public BrokerageCounters Counters
    {
        get
        {
            var all = Store<long>(BrokerageStores.Counters).All().GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));
            long Get(string name) => all.GetValueOrDefault(name);
            var deadLettered = new Dictionary<DeadLetterReason, long>();
            foreach (DeadLetterReason reason in Enum.GetValues<DeadLetterReason>())
            {
                if (all.TryGetValue(CounterStore.DeadLetteredPrefix + reason, out long count) && count > 0)
                {
                    deadLettered[reason] = count;
                }
            }

            return new BrokerageCounters(
                Get(CounterStore.Applied), Get(CounterStore.DuplicatesSkipped), Get(CounterStore.IdempotencySkipped),
                Get(CounterStore.Held), Store<GapState>(BrokerageStores.Gaps).All().Sum(g => (long)g.Value.HeldCount),
                Get(CounterStore.GapsAlerted), Get(CounterStore.GapsResolved), Get(CounterStore.GapResolutionsRefused), deadLettered);
        }
    }

    private static Instrument ToInstrument(InstrumentUpdated i) =>
        new(i.instrumentId, i.symbol, i.currency, i.assetClass.ToString(), Money.FromAvro(i.price), new DateTimeOffset(DateTime.SpecifyKind(i.timestamp, DateTimeKind.Utc)));

    private static LedgerBalance ToBalance(string key, LedgerBalanceEntry entry)
    {
        int separator = key.LastIndexOf(StoreKeys.Separator);
        return entry.ToBalance(key[..separator], key[(separator + 1)..]);
    }

    private SequenceGap ToGap(string accountId, GapState gap) =>
        new(accountId, gap.ExpectedSequence, gap.FirstHeldSequence, gap.HeldCount, DateTimeOffset.FromUnixTimeMilliseconds(gap.ReportedOpenSinceMs), gap.Alerted)
        {
            OldestHeldSince = DateTimeOffset.FromUnixTimeMilliseconds(gap.ReportedOldestHeldMs),
            AwaitingRedrive = [.. Store<AwaitingRedrive>(BrokerageStores.AwaitingRedrive)
                .Range(StoreKeys.AccountPrefix(accountId), StoreKeys.AccountPrefixEnd(accountId)).Select(a => a.Value.Id)],
        };

    private IReadOnlyKeyValueStore<string, TValue> Store<TValue>(string name) => _stores.Store<string, TValue>(name);
}
