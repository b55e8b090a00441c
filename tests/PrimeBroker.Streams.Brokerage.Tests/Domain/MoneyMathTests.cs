using PrimeBroker.Streams.Brokerage.Domain;

namespace PrimeBroker.Streams.Brokerage.Tests.Domain;

public sealed class MoneyMathTests
{
    [Theory]
    [InlineData("0.000000015", "0.00000002")]
    [InlineData("0.000000025", "0.00000002")]
    [InlineData("-0.000000025", "-0.00000002")]
    [InlineData("1.123456785", "1.12345678")]
    [InlineData("1.123456775", "1.12345678")]
    [InlineData("2.5", "2.5")]
    public void RoundingIsHalfToEvenAtTheEighthPlace(string value, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            MoneyMath.Round(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void ANotionalBeyondTwentyIntegerDigitsDoesNotFit()
    {
        Assert.True(MoneyMath.TryNotional(99_999_999_999m, 999_999_999m, out _));
        Assert.False(MoneyMath.TryNotional(1_000_000_000_000m, 1_000_000_000_000m, out _));
        Assert.False(MoneyMath.TryNotional(decimal.MaxValue, 2m, out _));
    }
}
