using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.App.Generation;

/// <summary>The instruments and accounts the generator uses: <c>INS-0001</c>... with deterministic prices, and
/// <c>ACC-00001</c>....</summary>
internal static class InstrumentCatalog
{
    /// <summary>An instrument id no reference data exists for; trades on it are dead-lettered.</summary>
    internal const string UnknownInstrument = "INS-UNKNOWN";

    internal static string InstrumentId(int index) => $"INS-{index + 1:D4}";

    internal static string AccountId(int index) => $"ACC-{index + 1:D5}";

    /// <summary>The reference data of instrument <paramref name="index"/>: a price between 10 and 500 in whole cents.</summary>
    internal static InstrumentUpdated Instrument(int index, decimal? price = null) => new()
    {
        instrumentId = InstrumentId(index),
        symbol = $"SYM{index + 1}",
        currency = "USD",
        assetClass = AssetClass.EQUITY,
        price = Money.ToAvro(price ?? BasePrice(index)),
        timestamp = DateTime.UtcNow,
    };

    internal static decimal BasePrice(int index) => 10m + (index * 37 % 491);
}
