using System.Numerics;
using Avro;

namespace PrimeBroker.Streams.Contracts;

/// <summary>
/// Converts between <see cref="decimal"/>, which all hand-written code uses for quantities, prices and amounts, and the
/// contract's Avro <c>decimal(28, 8)</c> (<see cref="Precision"/>, <see cref="Scale"/>).
/// </summary>
/// <remarks>
/// Apache.Avro refuses to write an <see cref="AvroDecimal"/> whose scale differs from the schema's, so every value
/// must be rescaled to exactly <see cref="Scale"/> digits: <c>1.5m</c> becomes unscaled <c>150000000</c> with scale 8.
/// Rescaling never rounds: a value with a non-zero ninth decimal digit, or with more than
/// <c>Precision - Scale</c> = 20 integer digits, is refused. Thread-safe (stateless).
/// </remarks>
public static class Money
{
    /// <summary>Total significant digits of every money field in the contract.</summary>
    public const int Precision = 28;

    /// <summary>Digits after the decimal point of every money field in the contract.</summary>
    public const int Scale = 8;

    private static readonly BigInteger s_maxUnscaledExclusive = BigInteger.Pow(10, Precision);

    /// <summary>Converts <paramref name="value"/> to an <see cref="AvroDecimal"/> with scale exactly <see cref="Scale"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The value has non-zero digits beyond <see cref="Scale"/> decimals, or needs more than <see cref="Precision"/> digits.
    /// </exception>
    public static AvroDecimal ToAvro(decimal value)
    {
        int[] bits = decimal.GetBits(value);
        var mantissa = new BigInteger(
            (uint)bits[0] | ((ulong)(uint)bits[1] << 32)) | (new BigInteger((uint)bits[2]) << 64);
        int scale = (bits[3] >> 16) & 0xFF;
        bool negative = bits[3] < 0;

        BigInteger unscaled;
        if (scale > Scale)
        {
            BigInteger divisor = BigInteger.Pow(10, scale - Scale);
            unscaled = BigInteger.DivRem(mantissa, divisor, out BigInteger remainder);
            if (!remainder.IsZero)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(value), value, $"Money has at most {Scale} decimal places; rescaling would lose precision.");
            }
        }
        else
        {
            unscaled = mantissa * BigInteger.Pow(10, Scale - scale);
        }

        if (unscaled >= s_maxUnscaledExclusive)
        {
            throw new ArgumentOutOfRangeException(
                nameof(value), value, $"Money has at most {Precision - Scale} integer digits (decimal({Precision}, {Scale})).");
        }

        return new AvroDecimal(negative ? -unscaled : unscaled, Scale);
    }

    /// <summary>Converts an <see cref="AvroDecimal"/> of any scale to the exactly equal <see cref="decimal"/>.</summary>
    /// <exception cref="OverflowException">The value does not fit a <see cref="decimal"/> exactly.</exception>
    public static decimal FromAvro(AvroDecimal value)
    {
        BigInteger unscaled = value.UnscaledValue;
        int scale = value.Scale;
        BigInteger magnitude = BigInteger.Abs(unscaled);
        while (scale > 28 && !magnitude.IsZero && (magnitude % 10).IsZero)
        {
            magnitude /= 10;
            scale--;
        }

        if (scale > 28 || scale < 0 || magnitude.GetBitLength() > 96)
        {
            throw new OverflowException($"Avro decimal {value} does not fit System.Decimal exactly.");
        }

        byte[] bytes = magnitude.ToByteArray(isUnsigned: true, isBigEndian: false);
        Span<byte> padded = stackalloc byte[12];
        bytes.CopyTo(padded);
        int lo = BitConverter.ToInt32(padded[..4]);
        int mid = BitConverter.ToInt32(padded[4..8]);
        int hi = BitConverter.ToInt32(padded[8..12]);
        return new decimal(lo, mid, hi, unscaled.Sign < 0, (byte)scale);
    }

    /// <summary>An Avro decimal as it arrived, so code outside the contract can ask whether it fits without naming
    /// Apache.Avro's types (only the contracts and the serdes do; ARCHITECTURE.md rule 3).</summary>
    /// <param name="Value">The decoded value.</param>
    public readonly record struct Wire(AvroDecimal Value);

    /// <summary>Converts <paramref name="value"/> like <see cref="FromAvro"/>, answering false instead of throwing when
    /// it does not fit a <see cref="decimal"/> exactly.</summary>
    public static bool TryFromAvro(Wire value, out decimal amount)
    {
        try
        {
            amount = FromAvro(value.Value);
            return true;
        }
        catch (OverflowException)
        {
            amount = 0m;
            return false;
        }
    }
}
