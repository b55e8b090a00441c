using System.Numerics;
using Avro;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Serialization.Tests.Contracts;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("1.5", "150000000")]
    [InlineData("-1.5", "-150000000")]
    [InlineData("0", "0")]
    [InlineData("187.12345678", "18712345678")]
    [InlineData("1.500000000000", "150000000")]
    [InlineData("99999999999999999999.99999999", "9999999999999999999999999999")]
    public void ToAvroRescalesToExactlyEightDecimals(string value, string unscaled)
    {
        AvroDecimal result = Money.ToAvro(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(Money.Scale, result.Scale);
        Assert.Equal(BigInteger.Parse(unscaled, System.Globalization.CultureInfo.InvariantCulture), result.UnscaledValue);
    }

    [Theory]
    [InlineData("0.000000001")]
    [InlineData("1.123456789")]
    [InlineData("-0.000000005")]
    public void ToAvroRefusesANinthDecimalDigit(string value) =>
        Assert.Throws<ArgumentOutOfRangeException>(
            () => Money.ToAvro(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void ToAvroRefusesMoreThanTwentyIntegerDigits() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.ToAvro(100000000000000000000m));

    [Theory]
    [InlineData("1.5")]
    [InlineData("-12345.6789")]
    [InlineData("0.00000001")]
    [InlineData("99999999999999999999.99999999")]
    public void FromAvroReturnsTheSameDecimal(string value)
    {
        decimal original = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(original, Money.FromAvro(Money.ToAvro(original)));
    }

    [Fact]
    public void FromAvroRefusesAValueLargerThanDecimal() =>
        Assert.Throws<OverflowException>(() => Money.FromAvro(new AvroDecimal(BigInteger.Pow(10, 40), 2)));

    [Fact]
    public void ScaledAvroDecimalIsWritableByAvroWhileAnUnscaledOneIsNot()
    {
        var schema = Schema.Parse("""{"type":"bytes","logicalType":"decimal","precision":28,"scale":8}""");
        var writer = new Avro.Generic.GenericDatumWriter<object>(schema);
        using var stream = new MemoryStream();
        var encoder = new Avro.IO.BinaryEncoder(stream);

        writer.Write(Money.ToAvro(1.5m), encoder);
        Assert.ThrowsAny<Exception>(() => writer.Write(new AvroDecimal(1.5m), encoder));
    }
}
