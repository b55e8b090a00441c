using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrimeBroker.Streams.App.Http;

/// <summary>
/// The API's one format for every decimal it answers with (amounts, prices, quantities): a JSON string with exactly
/// eight decimal places, the contract's scale (Avro <c>decimal(28,8)</c>), e.g. <c>"119.39000000"</c>; a value with more
/// places (a market value, quantity × price) is rounded half-even to eight, the booking rules' rounding for reports.
/// Why a string: a JSON number is read as a binary double by JavaScript's <c>JSON.parse</c> and by many other default
/// parsers, which cannot hold 28 significant digits or even 0.1 exactly; a string is read exactly by every language
/// into its decimal type (Java <c>new BigDecimal(s)</c>, Python <c>Decimal(s)</c>, .NET <c>decimal.Parse</c>, JavaScript
/// big-decimal libraries). Requests accept both a string and a number.
/// </summary>
internal sealed class MoneyJson : JsonConverter<decimal>
{
    /// <summary>Decimal places of every decimal the API writes.</summary>
    internal const int Scale = 8;

    /// <summary>The converter (stateless).</summary>
    internal static MoneyJson Converter { get; } = new();

    /// <summary>The text the API writes for <paramref name="value"/>.</summary>
    internal static string Format(decimal value) =>
        Math.Round(value, Scale, MidpointRounding.ToEven).ToString("0.00000000", CultureInfo.InvariantCulture);

    /// <summary>Adds the converter to <paramref name="options"/> (once).</summary>
    internal static JsonSerializerOptions AddTo(JsonSerializerOptions options)
    {
        if (!options.Converters.Contains(Converter))
        {
            options.Converters.Add(Converter);
        }

        return options;
    }

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetDecimal();
        }

        if (reader.TokenType == JsonTokenType.String
            && decimal.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new JsonException("expected a decimal as a string (\"12.5\") or a number");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteStringValue(Format(value));
}
