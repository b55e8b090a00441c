using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Fixtures;

/// <summary>Builders of the contract's records with readable defaults. Money goes through <see cref="Money.ToAvro"/>.</summary>
public static class Events
{
    /// <summary>Monday 5 January 2026, 10:00 UTC: T+2 is Wednesday the 7th.</summary>
    public static readonly DateTime Monday = new(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc);

    public static TradeCreated Created(string account, long sequence, string tradeId, string instrument = "AAPL", TradeSide side = TradeSide.BUY,
        decimal quantity = 100m, decimal price = 10m, string currency = "USD", string? idempotencyKey = null, DateTime? time = null) => new()
    {
        tradeId = tradeId,
        accountId = account,
        instrumentId = instrument,
        quantity = Money.ToAvro(quantity),
        price = Money.ToAvro(price),
        currency = currency,
        side = side,
        timestamp = time ?? Monday,
        idempotencyKey = idempotencyKey ?? $"idem-{account}-{sequence}",
        sequenceNumber = sequence,
    };

    public static TradeAmended Amended(string account, long sequence, string tradeId, decimal quantity, decimal price, string? idempotencyKey = null, DateTime? time = null) => new()
    {
        tradeId = tradeId,
        accountId = account,
        amendedQuantity = Money.ToAvro(quantity),
        amendedPrice = Money.ToAvro(price),
        reason = "booking error",
        timestamp = time ?? Monday,
        idempotencyKey = idempotencyKey ?? $"idem-{account}-{sequence}",
        sequenceNumber = sequence,
    };

    public static TradeCancelled Cancelled(string account, long sequence, string tradeId, string? idempotencyKey = null, DateTime? time = null) => new()
    {
        tradeId = tradeId,
        accountId = account,
        reason = "client request",
        timestamp = time ?? Monday,
        idempotencyKey = idempotencyKey ?? $"idem-{account}-{sequence}",
        sequenceNumber = sequence,
    };

    public static ResolveSequenceGap ResolveGap(string account, long? expectedSequence, string commandId = "cmd-1") => new()
    {
        commandId = commandId,
        accountId = account,
        expectedSequence = expectedSequence,
        requestedBy = "ops@example.com",
        reason = "producer lost the events; confirmed with the client",
        timestamp = Monday,
    };

    public static ConfirmSettlement Confirm(string account, string tradeId, SettlementOutcome outcome, string commandId, DateTime? time = null) => new()
    {
        commandId = commandId,
        accountId = account,
        tradeId = tradeId,
        outcome = outcome,
        reason = outcome == SettlementOutcome.FAILED ? "counterparty short of securities" : null,
        requestedBy = "custodian-feed",
        timestamp = time ?? Monday.AddDays(2),
    };

    public static InstrumentUpdated Instrument(string id, string currency, decimal price, string? symbol = null) => new()
    {
        instrumentId = id,
        symbol = symbol ?? id,
        currency = currency,
        assetClass = AssetClass.EQUITY,
        price = Money.ToAvro(price),
        timestamp = Monday,
    };

    public static string AccountOf(Avro.Specific.ISpecificRecord record) => record switch
    {
        TradeCreated c => c.accountId,
        TradeAmended a => a.accountId,
        TradeCancelled c => c.accountId,
        ResolveSequenceGap g => g.accountId,
        ConfirmSettlement s => s.accountId,
        _ => throw new ArgumentException($"No account on {record.GetType().Name}.", nameof(record)),
    };
}
