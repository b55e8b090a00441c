using System.Globalization;
using System.Text.Json;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.App.Generation;

/// <summary>One instrument as an operator writes it (a CSV row, a JSON object, a <c>PUT /instruments/{id}</c> body).</summary>
/// <param name="InstrumentId">The instrument id (the record key).</param>
/// <param name="Symbol">Display symbol.</param>
/// <param name="Currency">ISO 4217 code of the price.</param>
/// <param name="AssetClass">One of the contract's asset classes (<see cref="Contracts.AssetClass"/>).</param>
/// <param name="Price">Price per unit: positive, at most 8 decimal places (the contract's scale).</param>
internal sealed record InstrumentRow(string? InstrumentId, string? Symbol, string? Currency, string? AssetClass, decimal? Price)
{
    /// <summary>The problems of this row, each naming its field; empty when it is valid.</summary>
    internal IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(InstrumentId))
        {
            yield return "instrumentId is required";
        }

        if (string.IsNullOrWhiteSpace(Symbol))
        {
            yield return "symbol is required";
        }

        if (Currency is null || Currency.Length != 3 || !Currency.All(char.IsAsciiLetterUpper))
        {
            yield return $"currency must be three upper-case letters (ISO 4217), was '{Currency}'";
        }

        if (!Enum.TryParse<AssetClass>(AssetClass, ignoreCase: false, out _) || int.TryParse(AssetClass, out _))
        {
            yield return $"assetClass must be one of {string.Join(", ", Enum.GetNames<AssetClass>())}, was '{AssetClass}'";
        }

        if (Price is not { } price || price <= 0)
        {
            yield return "price must be positive";
        }
        else if (decimal.Round(price, 8) != price)
        {
            yield return $"price {price} has more than 8 decimal places";
        }
    }

    /// <summary>The contract record (call only when <see cref="Problems"/> is empty).</summary>
    internal InstrumentUpdated ToRecord(DateTime now) => new()
    {
        instrumentId = InstrumentId!,
        symbol = Symbol!,
        currency = Currency!,
        assetClass = Enum.Parse<AssetClass>(AssetClass!),
        price = Money.ToAvro(Price!.Value),
        timestamp = now,
    };
}

/// <summary>Reads a file of instruments for the <c>instruments</c> command: CSV with the header
/// <c>instrumentId,symbol,currency,assetClass,price</c> (any column order, invariant culture, no quoting), or a JSON
/// array of objects with those properties. Every invalid row is reported with its line or index.</summary>
internal static class InstrumentFile
{
    private static readonly string[] s_columns = ["instrumentId", "symbol", "currency", "assetClass", "price"];

    /// <summary>The instruments of <paramref name="path"/> (<c>.json</c> as JSON, anything else as CSV).</summary>
    /// <exception cref="FormatException">The file is malformed or a row is invalid; the message lists every problem.</exception>
    internal static IReadOnlyList<InstrumentUpdated> Read(string path, DateTime now)
    {
        var text = File.ReadAllText(path);
        var rows = Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase) ? FromJson(text) : FromCsv(text);
        var problems = rows.SelectMany(r => r.Row.Problems().Select(p => $"{r.Where}: {p}")).ToList();
        var duplicates = rows.GroupBy(r => r.Row.InstrumentId).Where(g => g.Key is not null && g.Count() > 1).Select(g => $"instrument {g.Key} appears {g.Count()} times");
        problems.AddRange(duplicates);
        if (rows.Count == 0)
        {
            problems.Add("the file holds no instruments");
        }

        if (problems.Count > 0)
        {
            throw new FormatException($"{path}: {string.Join("; ", problems)}");
        }

        return rows.Select(r => r.Row.ToRecord(now)).ToList();
    }

    private static List<(string Where, InstrumentRow Row)> FromJson(string text)
    {
        try
        {
            var rows = JsonSerializer.Deserialize<List<InstrumentRow>>(text, new JsonSerializerOptions(JsonSerializerDefaults.Web))
                ?? throw new FormatException("the JSON is null, expected an array of instruments");
            return rows.Select((r, i) => ($"item {i}", r)).ToList();
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a JSON array of instruments: {e.Message}", e);
        }
    }

    private static List<(string Where, InstrumentRow Row)> FromCsv(string text)
    {
        var lines = text.Split('\n').Select((l, i) => (Line: l.TrimEnd('\r').Trim(), Number: i + 1))
            .Where(l => l.Line.Length > 0 && !l.Line.StartsWith('#')).ToList();
        if (lines.Count == 0)
        {
            return [];
        }

        var header = lines[0].Line.Split(',').Select(h => h.Trim()).ToList();
        var missing = s_columns.Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0)
        {
            throw new FormatException($"the CSV header (line {lines[0].Number}) lacks {string.Join(", ", missing)}; expected {string.Join(",", s_columns)}");
        }

        int Column(string name) => header.FindIndex(h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
        var rows = new List<(string, InstrumentRow)>();
        foreach (var (line, number) in lines.Skip(1))
        {
            var cells = line.Split(',').Select(c => c.Trim()).ToArray();
            if (cells.Length != header.Count)
            {
                throw new FormatException($"line {number} has {cells.Length} cells, the header {header.Count}");
            }

            var price = decimal.TryParse(cells[Column("price")], NumberStyles.Number, CultureInfo.InvariantCulture, out var p) ? p : (decimal?)null;
            rows.Add(($"line {number}", new InstrumentRow(cells[Column("instrumentId")], cells[Column("symbol")], cells[Column("currency")],
                cells[Column("assetClass")], price)));
        }

        return rows;
    }
}
