using Avro.Specific;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Serialization.Tests.Fixtures;

/// <summary>One populated instance of every contract record, with every field set to a non-default value.</summary>
internal static class Samples
{
    public static readonly DateTime Time = new(2026, 11, 24, 9, 30, 15, 123, DateTimeKind.Utc);

    public static TradeCreated TradeCreated() => new()
    {
        tradeId = "T-1",
        accountId = "ACC-0001",
        instrumentId = "AAPL",
        quantity = Money.ToAvro(1500m),
        price = Money.ToAvro(187.12345678m),
        currency = "USD",
        side = TradeSide.SELL,
        timestamp = Time,
        idempotencyKey = "idem-1",
        sequenceNumber = 42,
        orderId = "O-7",
        strategy = "momentum",
    };

    public static TradeAmended TradeAmended() => new()
    {
        tradeId = "T-1",
        accountId = "ACC-0001",
        amendedQuantity = Money.ToAvro(1200m),
        amendedPrice = Money.ToAvro(187.5m),
        reason = "fat finger",
        timestamp = Time,
        idempotencyKey = "idem-2",
        sequenceNumber = 43,
    };

    public static TradeCancelled TradeCancelled() => new()
    {
        tradeId = "T-1",
        accountId = "ACC-0001",
        reason = "client request",
        timestamp = Time,
        idempotencyKey = "idem-3",
        sequenceNumber = 44,
    };

    public static PositionUpdated PositionUpdated() => new()
    {
        accountId = "ACC-0001",
        instrumentId = "AAPL",
        change = new PositionChange { quantityDelta = Money.ToAvro(-1500m), price = Money.ToAvro(187.12345678m) },
        newPosition = new PositionState
        {
            quantity = Money.ToAvro(-250.5m),
            averageCost = Money.ToAvro(180.00000001m),
            realizedPnl = Money.ToAvro(-12345.6789m),
        },
        timestamp = Time,
        tradeId = "T-1",
        sequenceNumber = 42,
    };

    public static LedgerEntryCreated LedgerEntryCreated() => new()
    {
        ledgerEntryId = "L-1",
        tradeId = "T-1",
        debitEntry = new LedgerLeg { account = "cash:ACC-0001", amount = Money.ToAvro(280685.18517m), currency = "USD" },
        creditEntry = new LedgerLeg { account = "securities:ACC-0001", amount = Money.ToAvro(280685.18517m), currency = "USD" },
        timestamp = Time,
        sequenceNumber = 42,
    };

    public static SettlementStatusChanged SettlementStatusChanged() => new()
    {
        settlementId = "S-1",
        tradeId = "T-1",
        accountId = "ACC-0001",
        status = SettlementStatus.FAILED,
        settlementDate = new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc),
        amount = Money.ToAvro(280685.18517m),
        currency = "USD",
        timestamp = Time,
    };

    public static InstrumentUpdated InstrumentUpdated() => new()
    {
        instrumentId = "AAPL",
        symbol = "AAPL.O",
        currency = "USD",
        assetClass = AssetClass.EQUITY,
        price = Money.ToAvro(188m),
        timestamp = Time,
    };

    public static FailedTradeEvent FailedTradeEvent() => new()
    {
        originalKey = [0x41, 0x43, 0x43],
        originalValue = [0x00, 0x00, 0x00, 0x00, 0x09, 0xFF],
        sourceTopic = "trade-events",
        sourcePartition = 5,
        sourceOffset = 123456789012,
        errorType = "CorruptBody",
        errorMessage = "truncated",
        retryCount = 3,
        timestamp = Time,
    };

    /// <summary>Field-by-field equality through the Avro schema, recursing into nested records and comparing bytes by content.</summary>
    public static void AssertSameRecord(ISpecificRecord expected, ISpecificRecord actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        var schema = (Avro.RecordSchema)expected.Schema;
        foreach (Avro.Field field in schema.Fields)
        {
            object? want = expected.Get(field.Pos);
            object? got = actual.Get(field.Pos);
            switch (want)
            {
                case ISpecificRecord nested:
                    AssertSameRecord(nested, Assert.IsAssignableFrom<ISpecificRecord>(got));
                    break;
                case byte[] bytes:
                    Assert.Equal(bytes, Assert.IsType<byte[]>(got));
                    break;
                default:
                    Assert.True(Equals(want, got), $"{schema.Name}.{field.Name}: expected {want}, got {got}");
                    break;
            }
        }
    }
}
