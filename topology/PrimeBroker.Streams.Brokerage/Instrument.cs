namespace PrimeBroker.Streams.Brokerage;

/// <summary>Instrument reference data and its latest price, from <c>instrument-events</c>. Immutable.</summary>
/// <param name="InstrumentId">The instrument id (the record key).</param>
/// <param name="Symbol">Ticker or other display symbol.</param>
/// <param name="Currency">ISO 4217 code of <paramref name="Price"/>; trades of the instrument must be in it.</param>
/// <param name="AssetClass">Asset class, e.g. <c>EQUITY</c>.</param>
/// <param name="Price">Latest price per unit.</param>
/// <param name="UpdatedAt">Time of the last update, UTC.</param>
public sealed record Instrument(string InstrumentId, string Symbol, string Currency, string AssetClass, decimal Price, DateTimeOffset UpdatedAt);
