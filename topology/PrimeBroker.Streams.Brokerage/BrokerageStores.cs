namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// Names of the topology's state stores, for interactive queries and operations. Each task store has a changelog
/// <c>&lt;application.id&gt;-&lt;name&gt;-changelog</c>. Their key and value types are internal: read them through
/// <see cref="BrokerageQueries"/>.
/// </summary>
public static class BrokerageStores
{
    /// <summary>The positions KTable: (account, instrument) → position. Placed by account; a prefix scan per account.</summary>
    public const string Positions = "positions";

    /// <summary>Each position's live trades: (account, instrument, booked sequence) → terms; at most
    /// <see cref="BrokerageOptions.MaxRestatableTradesPerPosition"/> per position (older ones are folded into the position's base).</summary>
    public const string PositionTrades = "position-trades";

    /// <summary>Per account: the next expected sequence number.</summary>
    public const string Sequences = "sequences";

    /// <summary>Events held behind a gap: (account, sequence number) → event with its original bytes.</summary>
    public const string Pending = "pending";

    /// <summary>Open gaps per account: where the gap starts, what is held, since when, whether it was alerted.</summary>
    public const string Gaps = "gaps";

    /// <summary>Operator commands already executed: (account, command id) → wall-clock time, so a repeated
    /// <c>ResolveSequenceGap</c> is applied once and never skips a later gap. One entry per command.</summary>
    public const string GapCommands = "gap-commands";

    /// <summary>Consumed sequence numbers: (account, sequence) → what consumed it (kind, ids, content digest), so a
    /// resend under a used number is told apart from a conflicting event. Kept like <see cref="Idempotency"/>.</summary>
    public const string SequenceLog = "sequence-log";

    /// <summary>Index of <see cref="SequenceLog"/> by account and event time, so expiry is a range scan.</summary>
    public const string SequenceLogByTime = "sequence-log-by-time";

    /// <summary>Records dead-lettered undecoded because the registry was down, by the account of their key:
    /// (account, partition, offset) → the original bytes. Until a re-drive of one arrives, the account's gap names them.</summary>
    public const string AwaitingRedrive = "awaiting-redrive";

    /// <summary>Applied idempotency keys: (account, key) → event time, trade, sequence and content digest.</summary>
    public const string Idempotency = "idempotency";

    /// <summary>Index of <see cref="Idempotency"/> by event time, so expiry is a range scan.</summary>
    public const string IdempotencyByTime = "idempotency-by-time";

    /// <summary>Booked trades: trade id → the state amends and cancels need.</summary>
    public const string Trades = "trades";

    /// <summary>Index of <see cref="Trades"/> by settlement date, so that trades past their retention expire by a range scan.</summary>
    public const string TradesBySettlement = "trades-by-settlement";

    /// <summary>Ledger balances: (account, currency) → running totals of the ledger entries posted for it (cash, securities
    /// at cost, P&amp;L, debits, credits); one write per booked event. Read through <see cref="BrokerageQueries.LedgerBalances"/>.</summary>
    public const string LedgerBalances = "ledger-balances";

    /// <summary>Settlement ladder: (value date, currency) → the trades of the trades store that are not cancelled, by
    /// settlement status, and the cash their open settlements pay and receive; kept by the writers of <see cref="Trades"/>
    /// (one write per change of a trade's contribution). Read through <see cref="BrokerageQueries.SettlementLadder"/>.</summary>
    public const string SettlementLadder = "settlement-ladder";

    /// <summary>Counters per task (applied, skipped, dead-lettered by reason...), exact across crashes.</summary>
    public const string Counters = "counters";

    /// <summary>The global instrument table (every partition of <c>instrument-events</c> on every instance).</summary>
    public const string Instruments = "instruments";

    /// <summary>Every task store, in a stable order (the global <see cref="Instruments"/> excluded).</summary>
    public static IReadOnlyList<string> TaskStores { get; } =
        [Positions, PositionTrades, Sequences, Pending, Gaps, GapCommands, SequenceLog, SequenceLogByTime, AwaitingRedrive, Idempotency, IdempotencyByTime, Trades, TradesBySettlement, LedgerBalances, SettlementLadder, Counters];
}
