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

    public static string Pending(string accountId, long sequenceNumber) => accountId + Separator + Number(sequenceNumber);

    public static string Idempotency(string accountId, string idempotencyKey) => accountId + Separator + idempotencyKey;

    public static string IdempotencyByTime(long eventTimeMs, string idempotencyStoreKey) => Number(eventTimeMs) + Separator + idempotencyStoreKey;

    /// <summary>The exclusive upper bound of index keys with event time below <paramref name="eventTimeMs"/>.</summary>
    public static string IdempotencyByTimeBefore(long eventTimeMs) => Number(eventTimeMs);

    public static string IdempotencyKeyOfIndex(string indexKey) => indexKey[(indexKey.IndexOf(Separator, StringComparison.Ordinal) + 1)..];

    public static long SequenceOfPending(string pendingKey) =>
        long.Parse(pendingKey.AsSpan(pendingKey.LastIndexOf(Separator) + 1), NumberStyles.None, CultureInfo.InvariantCulture);

    private static string Number(long value) => Math.Max(0, value).ToString("D19", CultureInfo.InvariantCulture);
}
