using System.Text;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Rule 1: every record is decoded with its writer schema (v1 and v2 read as the current type); permanent failures go
/// to the dead-letter topic at once with the original key and bytes, source, error type and reason; the partition never
/// stalls. Also the checks sequencing needs (account id, key, sequence number, command id).
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule01DecodeTests(RegistryFixture fixture)
{
    private static readonly byte[] s_key = Encoding.UTF8.GetBytes("ACC-1");

    [Fact]
    public void TradeCreatedWrittenWithV1AndV2AreBothBooked()
    {
        using var h = new BrokerageHarness(fixture);
        h.SendRaw(s_key, Writers.TradeCreatedV1(fixture.Client, h.Options.TradeEventsTopic, "ACC-1", 1, "T-v1", 100m, 10m));
        var v2 = Events.Created("ACC-1", 2, "T-v2", quantity: 100m, price: 20m);
        v2.orderId = "ORD-7";
        v2.strategy = "momentum";
        h.Send(v2);

        Assert.True(h.DeadLetters.IsEmpty);
        Position p = h.Position("ACC-1", "AAPL");
        Assert.Equal(200m, p.Quantity);
        Assert.Equal(15m, p.AverageCost);
        Assert.Equal(2, h.Queries.Counters.Applied);
    }

    public static TheoryData<string, byte[]?, DeadLetterReason> BadBytes => new()
    {
        { "null value (tombstone)", null, DeadLetterReason.EmptyPayload },
        { "empty value", [], DeadLetterReason.EmptyPayload },
        { "three bytes", [0, 0, 0], DeadLetterReason.HeaderTooShort },
        { "magic byte 1", [1, 0, 0, 0, 1, 2, 3], DeadLetterReason.UnknownMagicByte },
        { "magic byte 0xFF", [0xFF, 0, 0, 0, 1, 2, 3], DeadLetterReason.UnknownMagicByte },
        { "schema id nobody registered", [0, 0x7F, 0, 0, 9, 2, 65], DeadLetterReason.UnknownSchemaId },
    };

    [Theory]
    [MemberData(nameof(BadBytes))]
    public void BadBytesAreDeadLetteredAtOnceWithTheirReasonAndTheNextRecordIsProcessed(string what, byte[]? value, DeadLetterReason reason)
    {
        using var h = new BrokerageHarness(fixture);
        h.SendRaw(s_key, value);
        h.Send(Events.Created("ACC-1", 1, "T-1"));

        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.True(reason.ToString() == dead.errorType, $"{what}: expected {reason}, got {dead.errorType} ({dead.errorMessage})");
        Assert.Equal(value, dead.originalValue);
        Assert.Equal(s_key, dead.originalKey);
        Assert.Equal(1, dead.retryCount);
        Assert.Equal(1, h.Queries.Counters.Applied); // the partition did not stall
        Assert.Equal(1, h.Queries.Counters.DeadLettered[reason]);
    }

    [Fact]
    public void CorruptBodyIsDeadLetteredWithTheExactBytesAndWhereTheyCameFrom()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"));
        byte[] valid = h.Serialize(Events.Created("ACC-1", 2, "T-2"), fixture);
        byte[] truncated = valid[..^6];
        h.SendRaw(s_key, truncated);

        var record = Assert.Single(h.DeadLetters.ReadRecordsToList());
        Assert.Equal(s_key, record.Key); // keyed like trade-events, so it lands on the account's partition
        FailedTradeEvent dead = record.Value;
        Assert.Equal(nameof(DeadLetterReason.CorruptBody), dead.errorType);
        Assert.Equal(truncated, dead.originalValue);
        Assert.Equal(s_key, dead.originalKey);
        Assert.Equal(h.Options.TradeEventsTopic, dead.sourceTopic);
        Assert.Equal(0, dead.sourcePartition);
        Assert.Equal(1, dead.sourceOffset);
        Assert.Contains("corrupt or truncated", dead.errorMessage);
    }

    [Fact]
    public void ARecordTypeTradeEventsDoesNotCarryIsUnexpectedRecordType()
    {
        using var h = new BrokerageHarness(fixture);
        byte[] instrumentBytes = AvroSerdes.For<InstrumentUpdated>(fixture.Client).Serializer.Serialize(
            Events.Instrument("AAPL", "USD", 1m), new Confluent.Kafka.SerializationContext(Confluent.Kafka.MessageComponentType.Value, h.Options.TradeEventsTopic));
        h.SendRaw(s_key, instrumentBytes);

        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.UnexpectedRecordType), dead.errorType);
        Assert.Contains("InstrumentUpdated", dead.errorMessage);
    }

    [Fact]
    public void AWriterSchemaThatCannotBeResolvedIsUnsupportedSchemaVersion()
    {
        using var h = new BrokerageHarness(fixture);
        h.SendRaw(s_key, Writers.UnresolvableTradeCreated(fixture.Client));

        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.UnsupportedSchemaVersion), dead.errorType);
    }

    [Fact]
    public void AnEventWithoutAccountIdIsDeadLettered()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("", 1, "T-1"), key: "ACC-1");
        h.Send(Events.Created("ACC\u0000X", 1, "T-2"), key: "ACC-1");

        Assert.All(h.DeadLetters.ReadValuesToListOf(), d => Assert.Equal(nameof(DeadLetterReason.MissingAccountId), d.errorType));
        Assert.Equal(2, h.Queries.Counters.DeadLettered[DeadLetterReason.MissingAccountId]);
    }

    [Fact]
    public void AKeyOtherThanTheAccountIdIsDeadLetteredBecauseTheEventSitsOnAnotherAccountsPartition()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1"), key: "ACC-2");
        h.SendRaw(null, h.Serialize(Events.Created("ACC-1", 1, "T-2"), fixture));
        h.SendRaw([0xC3, 0x28], h.Serialize(Events.Created("ACC-1", 1, "T-3"), fixture)); // not UTF-8

        var dead = h.DeadLetters.ReadValuesToListOf();
        Assert.Equal(3, dead.Count);
        Assert.All(dead, d => Assert.Equal(nameof(DeadLetterReason.AccountKeyMismatch), d.errorType));
        Assert.Equal(1, h.Queries.ExpectedSequenceOf("ACC-1")); // no sequence number was consumed
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ASequenceNumberBelowOneIsDeadLettered(long sequence)
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", sequence, "T-1"));

        Assert.Equal(nameof(DeadLetterReason.InvalidSequenceNumber), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
    }

    [Fact]
    public void AGapCommandWithoutCommandIdIsDeadLettered()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.ResolveGap("ACC-1", null, commandId: " "));

        Assert.Equal(nameof(DeadLetterReason.MissingCommandId), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
    }
}
