using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>
/// What "the same event" means when a sequence number or an idempotency key comes again (finding 8 of issue 18): the
/// event's booking terms, namely kind, trade id, idempotency key, instrument id, side, quantity, price, currency, and
/// the reason an amount could not be read. Amounts compare as values (10 and 10.000 are the same).
/// Not compared: the sequence number (a producer retry may be re-sequenced), the event time (a retry may be
/// re-stamped; the idempotency window already bounds it), and the descriptive fields order id, strategy and the
/// amend/cancel reason, which nothing books.
/// </summary>
internal static class EventContent
{
    /// <summary>The first 128 bits of the SHA-256 of the booking terms (base64, 24 characters), stored instead of the
    /// terms themselves: enough that two different events never compare equal by chance.</summary>
    public static string Digest(TradeEvent e)
    {
        // An applied event's digest is taken twice, by the sequence log and by the idempotency log, for the same
        // instance (a TradeEvent is immutable: `with` makes a new one): the last one is remembered per thread.
        if (s_last is { } last && ReferenceEquals(last.Event, e))
        {
            return last.Digest;
        }

        string digest = Compute(e);
        s_last = new LastDigest(e, digest);
        return digest;
    }

    [ThreadStatic]
    private static LastDigest? s_last;

    private sealed record LastDigest(TradeEvent Event, string Digest);

    private static string Compute(TradeEvent e)
    {
        string canonical = string.Join('\u0000',
            e.Kind.ToString(),
            e.TradeId,
            e.IdempotencyKey,
            e.InstrumentId ?? "",
            e.Side?.ToString() ?? "",
            Amount(e.Quantity),
            Amount(e.Price),
            e.Currency ?? "",
            e.AmountProblem ?? "");
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)).AsSpan(0, 16));
    }

    /// <summary>The value without trailing zeros, invariant culture.</summary>
    private static string Amount(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);
}
