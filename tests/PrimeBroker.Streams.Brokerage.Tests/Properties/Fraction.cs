using System.Numerics;

namespace PrimeBroker.Streams.Brokerage.Tests.Properties;

/// <summary>
/// An exact rational number for the oracle: no rounding anywhere until <see cref="RoundHalfEven"/>, so the oracle shares
/// no rounding step with the topology (which computes in <see cref="decimal"/>).
/// </summary>
public readonly record struct Fraction
{
    private Fraction(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        BigInteger gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsZero && !gcd.IsOne)
        {
            numerator /= gcd;
            denominator /= gcd;
        }

        Numerator = numerator;
        Denominator = denominator;
    }

    public static Fraction Zero { get; } = new(BigInteger.Zero, BigInteger.One);

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    public int Sign => Numerator.Sign;

    public static Fraction Of(decimal value)
    {
        int[] bits = decimal.GetBits(value);
        var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        int scale = (bits[3] >> 16) & 0xFF;
        return new Fraction(bits[3] < 0 ? -mantissa : mantissa, BigInteger.Pow(10, scale));
    }

    public static Fraction operator +(Fraction a, Fraction b) => new((a.Numerator * b.Denominator) + (b.Numerator * a.Denominator), a.Denominator * b.Denominator);

    public static Fraction operator -(Fraction a, Fraction b) => new((a.Numerator * b.Denominator) - (b.Numerator * a.Denominator), a.Denominator * b.Denominator);

    public static Fraction operator -(Fraction a) => new(-a.Numerator, a.Denominator);

    public static Fraction operator *(Fraction a, Fraction b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static Fraction operator /(Fraction a, Fraction b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public static bool operator <(Fraction a, Fraction b) => (a - b).Sign < 0;

    public static bool operator >(Fraction a, Fraction b) => (a - b).Sign > 0;

    public Fraction Abs() => new(BigInteger.Abs(Numerator), Denominator);

    /// <summary>Rounds half to even at <paramref name="places"/> decimal places (the README's one rule, restated).</summary>
    public decimal RoundHalfEven(int places = 8)
    {
        BigInteger scaled = Numerator * BigInteger.Pow(10, places);
        BigInteger quotient = BigInteger.DivRem(BigInteger.Abs(scaled), Denominator, out BigInteger remainder);
        int compare = (remainder * 2).CompareTo(Denominator);
        if (compare > 0 || (compare == 0 && !quotient.IsEven))
        {
            quotient += 1;
        }

        decimal magnitude = (decimal)quotient / (decimal)BigInteger.Pow(10, places);
        return scaled.Sign < 0 ? -magnitude : magnitude;
    }

    public override string ToString() => $"{Numerator}/{Denominator}";
}
