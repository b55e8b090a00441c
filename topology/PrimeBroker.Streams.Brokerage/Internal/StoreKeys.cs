using System.Globalization;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>
/// Composite store keys as strings whose UTF-8 bytes sort like the tuples: parts joined by U+0000 (byte 0x00, which ids
/// never contain: decoding refuses ids with control characters), numbers zero-padded to 19 digits. So all keys of one
/// account form one contiguous range: <see cref="AccountPrefix"/> to <see cref="AccountPrefixEnd"/>.
/// </summary>
internal static class StoreKeys
{
    public const char Separator = '\0';

    public static string AccountPrefix(string accountId) => accountId + Separator;

    /// <summary>The exclusive upper bound of <see cref="AccountPrefix"/>: 0x01 sorts right after the separator.</summary>
    public static string AccountPrefixEnd(string accountId) => accountId + '\u0001';

    public static string Position(string accountId, string instrumentId) => accountId + Separator + instrumentId;

    /// <summary>A position's history entry: (account, instrument, booked sequence); in sequence order within the position.</summary>
    public static string PositionTrade(string accountId, string instrumentId, long bookedSequence) =>
        Position(accountId, instrumentId) + Separator + Number(bookedSequence);

    /// <summary>The first key of a position's history.</summary>
    public static string PositionTradesPrefix(string accountId, string instrumentId) => Position(accountId, instrumentId) + Separator;

    /// <summary>The exclusive upper bound of <see cref="PositionTradesPrefix"/>.</summary>
    public static string PositionTradesPrefixEnd(string accountId, string instrumentId) => Position(accountId, instrumentId) + '\u0001';

    public static string Pending(string accountId, long sequenceNumber) => accountId + Separator + Number(sequenceNumber);

    public static string Idempotency(string accountId, string idempotencyKey) => accountId + Separator + idempotencyKey;

    /// <summary>The expiry index: (account, event time, key), so an account's keys sort by event time within its range.</summary>
    public static string IdempotencyByTime(string accountId, long eventTimeMs, string idempotencyKey) =>
        accountId + Separator + Number(eventTimeMs) + Separator + idempotencyKey;

    /// <summary>The exclusive upper bound of the account's index keys with event time below <paramref name="eventTimeMs"/>.</summary>
    public static string IdempotencyByTimeBefore(string accountId, long eventTimeMs) => accountId + Separator + Number(eventTimeMs);

    /// <summary>The sequence log's expiry index: (account, event time, sequence), sorted like the idempotency index.</summary>
    public static string SequenceByTime(string accountId, long eventTimeMs, long sequenceNumber) =>
        accountId + Separator + Number(eventTimeMs) + Separator + Number(sequenceNumber);

    /// <summary>A record of the account awaiting re-drive: (account, source partition, source offset).</summary>
    public static string AwaitingRedrive(string accountId, int partition, long offset) =>
        accountId + Separator + Number(partition) + Separator + Number(offset);

    /// <summary>A ledger balance: (account, currency); an account's currencies are one range.</summary>
    public static string LedgerBalance(string accountId, string currency) => accountId + Separator + currency;

    public static string TradeBySettlement(DateOnly settlementDate, string tradeId) => Number(settlementDate.DayNumber) + Separator + tradeId;

    /// <summary>The exclusive upper bound of index keys with a settlement date before <paramref name="date"/>.</summary>
    public static string TradeBySettlementBefore(DateOnly date) => Number(date.DayNumber);

    /// <summary>A settlement ladder rung: (value date, currency); rungs sort by date, then currency.</summary>
    public static string SettlementLadder(DateOnly valueDate, string currency) => Number(valueDate.DayNumber) + Separator + currency;

    /// <summary>The first possible ladder key of <paramref name="valueDate"/>: a range from it reads that date on.</summary>
    public static string SettlementLadderFrom(DateOnly valueDate) => Number(valueDate.DayNumber);

    /// <summary>The value date of a <see cref="SettlementLadder"/> key.</summary>
    public static DateOnly ValueDateOfLadder(string ladderKey) =>
        DateOnly.FromDayNumber(int.Parse(ladderKey.AsSpan(0, ladderKey.IndexOf(Separator)), NumberStyles.None, CultureInfo.InvariantCulture));

    /// <summary>The currency of a <see cref="SettlementLadder"/> key.</summary>
    public static string CurrencyOfLadder(string ladderKey) => ladderKey[(ladderKey.IndexOf(Separator) + 1)..];

    public static long SequenceOfPending(string pendingKey) =>
        long.Parse(pendingKey.AsSpan(pendingKey.LastIndexOf(Separator) + 1), NumberStyles.None, CultureInfo.InvariantCulture);

    private static string Number(long value) => Math.Max(0, value).ToString("D19", CultureInfo.InvariantCulture);
}
