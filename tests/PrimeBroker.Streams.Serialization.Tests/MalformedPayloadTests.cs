using Avro.Specific;
using Confluent.Kafka;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Serialization.Tests.Fixtures;

namespace PrimeBroker.Streams.Serialization.Tests;

[Collection(RegistryCollection.Name)]
public sealed class MalformedPayloadTests(RegistryFixture fixture)
{
    private const string Topic = "malformed-trade-events";
    private static readonly SerializationContext s_context = new(MessageComponentType.Value, Topic);

    [Fact]
    public void NullValueIsEmptyPayload() =>
        AssertReason(DeserializationFailureReason.EmptyPayload, [], isNull: true);

    [Fact]
    public void EmptyValueIsEmptyPayload() =>
        AssertReason(DeserializationFailureReason.EmptyPayload, []);

    [Fact]
    public void WrongMagicByteIsUnknownMagicByte() =>
        AssertReason(DeserializationFailureReason.UnknownMagicByte, [0x01, 0, 0, 0, 1, 0x02]);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void FewerThanFiveBytesIsHeaderTooShort(int length) =>
        AssertReason(DeserializationFailureReason.HeaderTooShort, new byte[length]);

    [Fact]
    public void SchemaIdTheRegistryDoesNotKnowIsUnknownSchemaId()
    {
        EventDeserializationException e = AssertReason(DeserializationFailureReason.UnknownSchemaId, [0, 0x7F, 0, 0, 9, 0x02]);
        Assert.Equal(0x7F000009, e.SchemaId);
    }

    [Fact]
    public void TruncatedAvroBodyIsCorruptBody()
    {
        byte[] valid = Serialize(Samples.TradeCreated());
        AssertReason(DeserializationFailureReason.CorruptBody, valid[..^5]);
    }

    [Fact]
    public void HeaderWithNoBodyIsCorruptBody()
    {
        byte[] valid = Serialize(Samples.TradeCancelled());
        AssertReason(DeserializationFailureReason.CorruptBody, valid[..5]);
    }

    [Fact]
    public void BytesAfterTheRecordAreCorruptBody()
    {
        byte[] valid = Serialize(Samples.TradeCancelled());
        AssertReason(DeserializationFailureReason.CorruptBody, [.. valid, 0x00]);
    }

    [Fact]
    public void OutOfRangeEnumOrdinalIsCorruptBody()
    {
        // A hand-made TradeCreated body: three strings, two one-byte decimals, currency, then side with ordinal 9
        // (zig-zag 0x12) where only BUY and SELL exist, then timestamp, idempotencyKey, sequenceNumber, two null unions.
        byte[] valid = Serialize(Samples.TradeCreated());
        byte[] header = valid[..5];
        byte[] body = [.. AvroString("T"), .. AvroString("A"), .. AvroString("I"), 0x02, 0x01, 0x02, 0x01, .. AvroString("USD"), 0x12,
            0x00, .. AvroString("k"), 0x02, 0x00, 0x00];

        EventDeserializationException e = AssertReason(DeserializationFailureReason.CorruptBody, [.. header, .. body]);
        Assert.Contains("side", e.Message);
    }

    [Fact]
    public void HugeLengthPrefixIsCorruptBody()
    {
        byte[] header = Serialize(Samples.TradeCancelled())[..5];
        // A string length of 2^31-1 (zig-zag varint) with nothing behind it.
        AssertReason(DeserializationFailureReason.CorruptBody, [.. header, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F]);
    }

    [Fact]
    public void RecordTypeNotCarriedOnTheTopicIsUnexpectedRecordType()
    {
        byte[] position = AvroSerdes.For<PositionUpdated>(fixture.Client).Serializer.Serialize(Samples.PositionUpdated(), s_context);

        EventDeserializationException e = AssertReason(DeserializationFailureReason.UnexpectedRecordType, position);
        Assert.Contains("PositionUpdated", e.Message);
    }

    [Fact]
    public void SingleTypeDeserializerRefusesAnotherRecordTypeAsUnexpectedRecordType()
    {
        byte[] cancelled = Serialize(Samples.TradeCancelled());
        IDeserializer<TradeCreated> deserializer = AvroSerdes.For<TradeCreated>(fixture.Client).Deserializer;

        EventDeserializationException e = Assert.Throws<EventDeserializationException>(
            () => deserializer.Deserialize(cancelled, isNull: false, s_context));
        Assert.Equal(DeserializationFailureReason.UnexpectedRecordType, e.Reason);
    }

    [Fact]
    public async Task UnreachableRegistryIsSchemaRegistryUnavailable()
    {
        byte[] valid = Serialize(Samples.TradeCancelled());
        string url;
        await using (var stopped = await PrimeBroker.Streams.Serialization.Embedded.EmbeddedSchemaRegistry.StartAsync())
        {
            url = stopped.Url;
        }

        using var client = new Confluent.SchemaRegistry.CachedSchemaRegistryClient(
            new Confluent.SchemaRegistry.SchemaRegistryConfig { Url = url });
        Serde<ISpecificRecord> serde = TradeEventsSerde.Create(client);

        EventDeserializationException e = Assert.Throws<EventDeserializationException>(
            () => serde.Deserializer.Deserialize(valid, isNull: false, s_context));
        Assert.Equal(DeserializationFailureReason.SchemaRegistryUnavailable, e.Reason);
    }

    private byte[] Serialize(ISpecificRecord record) =>
        TradeEventsSerde.Create(fixture.Client).Serializer.Serialize(record, s_context);

    private EventDeserializationException AssertReason(DeserializationFailureReason reason, byte[] bytes, bool isNull = false)
    {
        Serde<ISpecificRecord> serde = TradeEventsSerde.Create(fixture.Client);
        EventDeserializationException e = Assert.Throws<EventDeserializationException>(
            () => serde.Deserializer.Deserialize(bytes, isNull, s_context));
        Assert.Equal(reason, e.Reason);
        return e;
    }

    private static byte[] AvroString(string ascii) => [(byte)(ascii.Length * 2), .. System.Text.Encoding.ASCII.GetBytes(ascii)];
}
