using System.Buffers.Binary;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Serialization.Tests.Fixtures;

namespace PrimeBroker.Streams.Serialization.Tests;

[Collection(RegistryCollection.Name)]
public sealed class AvroSerdesRoundTripTests(RegistryFixture fixture)
{
    [Fact]
    public void TradeCreatedRoundTripsThroughTheWireFormat() => AssertRoundTrip(Samples.TradeCreated(), "rt-trade-created");

    [Fact]
    public void TradeAmendedRoundTripsThroughTheWireFormat() => AssertRoundTrip(Samples.TradeAmended(), "rt-trade-amended");

    [Fact]
    public void TradeCancelledRoundTripsThroughTheWireFormat() => AssertRoundTrip(Samples.TradeCancelled(), "rt-trade-cancelled");

    [Fact]
    public void PositionUpdatedRoundTripsThroughTheWireFormat() => AssertRoundTrip(Samples.PositionUpdated(), "rt-positions");

    [Fact]
    public void LedgerEntryCreatedRoundTripsThroughTheWireFormat() => AssertRoundTrip(Samples.LedgerEntryCreated(), "rt-ledger");

    [Fact]
    public void SettlementStatusChangedRoundTripsThroughTheWireFormat() => AssertRoundTrip(Samples.SettlementStatusChanged(), "rt-settlements");

    [Fact]
    public void InstrumentUpdatedRoundTripsThroughTheWireFormat() => AssertRoundTrip(Samples.InstrumentUpdated(), "rt-instruments");

    [Fact]
    public void FailedTradeEventRoundTripsThroughTheWireFormat() => AssertRoundTrip(Samples.FailedTradeEvent(), "rt-dlq");

    [Fact]
    public void FailedTradeEventWithNullKeyAndValueRoundTrips()
    {
        FailedTradeEvent record = Samples.FailedTradeEvent();
        record.originalKey = null;
        record.originalValue = null;
        AssertRoundTrip(record, "rt-dlq-nulls");
    }

    [Fact]
    public void TradeCreatedWithoutOptionalV2FieldsRoundTrips()
    {
        TradeCreated record = Samples.TradeCreated();
        record.orderId = null;
        record.strategy = null;
        AssertRoundTrip(record, "rt-trade-created-nulls");
    }

    [Fact]
    public void TradeEventsSerdeRoundTripsEachTradeRecordAsItsOwnClass()
    {
        Serde<ISpecificRecord> serde = TradeEventsSerde.Create(fixture.Client);
        var context = new SerializationContext(MessageComponentType.Value, "rt-trade-events");
        foreach (ISpecificRecord record in new ISpecificRecord[] { Samples.TradeCreated(), Samples.TradeAmended(), Samples.TradeCancelled() })
        {
            byte[] bytes = serde.Serializer.Serialize(record, context);
            ISpecificRecord read = serde.Deserializer.Deserialize(bytes, isNull: false, context);
            Samples.AssertSameRecord(record, read);
        }
    }

    [Fact]
    public async Task TradeEventsRegisterOneSubjectPerRecordTypeOnTheTopic()
    {
        Serde<ISpecificRecord> serde = TradeEventsSerde.Create(fixture.Client);
        var context = new SerializationContext(MessageComponentType.Value, "subjects-trade-events");
        serde.Serializer.Serialize(Samples.TradeCreated(), context);
        serde.Serializer.Serialize(Samples.TradeAmended(), context);
        serde.Serializer.Serialize(Samples.TradeCancelled(), context);

        List<string> subjects = await fixture.Client.GetAllSubjectsAsync();

        Assert.Equal(
            new[]
            {
                "subjects-trade-events-PrimeBroker.Streams.Contracts.TradeAmended",
                "subjects-trade-events-PrimeBroker.Streams.Contracts.TradeCancelled",
                "subjects-trade-events-PrimeBroker.Streams.Contracts.TradeCreated",
            },
            subjects.Where(subject => subject.StartsWith("subjects-trade-events-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SerializedBytesAreMagicByteThenBigEndianSchemaIdThenAvroBody()
    {
        Serde<InstrumentUpdated> serde = AvroSerdes.For<InstrumentUpdated>(fixture.Client);
        byte[] bytes = serde.Serializer.Serialize(
            Samples.InstrumentUpdated(), new SerializationContext(MessageComponentType.Value, "wire-instruments"));

        RegisteredSchema latest = await fixture.Client.GetLatestSchemaAsync("wire-instruments-PrimeBroker.Streams.Contracts.InstrumentUpdated");
        Assert.Equal(0, bytes[0]);
        Assert.Equal(latest.Id, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)));
        // The body starts with the first field, instrumentId "AAPL": zig-zag length 4 (0x08) then the UTF-8 bytes.
        Assert.Equal(new byte[] { 0x08, (byte)'A', (byte)'A', (byte)'P', (byte)'L' }, bytes[5..10]);
    }

    [Fact]
    public void ConfluentAvroDeserializerReadsWhatOurSerdeWrote()
    {
        Serde<PositionUpdated> serde = AvroSerdes.For<PositionUpdated>(fixture.Client);
        var context = new SerializationContext(MessageComponentType.Value, "interop-positions");
        PositionUpdated record = Samples.PositionUpdated();
        byte[] bytes = serde.Serializer.Serialize(record, context);

        IDeserializer<PositionUpdated> confluent = new AvroDeserializer<PositionUpdated>(
            fixture.Client, new AvroDeserializerConfig { SubjectNameStrategy = SubjectNameStrategy.TopicRecord }).AsSyncOverAsync();

        Samples.AssertSameRecord(record, confluent.Deserialize(bytes, isNull: false, context));
    }

    [Fact]
    public void SerializerRefusesARecordTypeNotCarriedOnTradeEvents()
    {
        Serde<ISpecificRecord> serde = TradeEventsSerde.Create(fixture.Client);

        Assert.Throws<ArgumentException>(() => serde.Serializer.Serialize(
            Samples.PositionUpdated(), new SerializationContext(MessageComponentType.Value, "refuse-trade-events")));
    }

    [Fact]
    public void SerializerRefusesNullInsteadOfWritingATombstone()
    {
        Serde<TradeCreated> serde = AvroSerdes.For<TradeCreated>(fixture.Client);

        Assert.Throws<ArgumentNullException>(() => serde.Serializer.Serialize(
            null!, new SerializationContext(MessageComponentType.Value, "refuse-null")));
    }

    private void AssertRoundTrip<TRecord>(TRecord record, string topic)
        where TRecord : class, ISpecificRecord, new()
    {
        Serde<TRecord> serde = AvroSerdes.For<TRecord>(fixture.Client);
        var context = new SerializationContext(MessageComponentType.Value, topic);

        // The first record of a topic goes through Confluent's serializer (it registers the schema); later ones are
        // written on the calling thread with the cached schema id: both must round-trip.
        byte[] first = serde.Serializer.Serialize(record, context);
        byte[] later = serde.Serializer.Serialize(record, context);

        Samples.AssertSameRecord(record, serde.Deserializer.Deserialize(first, isNull: false, context));
        Samples.AssertSameRecord(record, serde.Deserializer.Deserialize(later, isNull: false, context));
    }

    [Fact]
    public void RecordsAfterTheFirstAreWrittenByteForByteAsConfluentsSerializerWritesThem()
    {
        var confluent = new AvroSerializer<TradeCreated>(fixture.Client, new AvroSerializerConfig
        {
            SubjectNameStrategy = SubjectNameStrategy.TopicRecord,
        }).AsSyncOverAsync();
        Serde<TradeCreated> serde = AvroSerdes.For<TradeCreated>(fixture.Client);
        TradeCreated[] records = [.. Enumerable.Range(1, 20).Select(i =>
        {
            TradeCreated record = Samples.TradeCreated();
            record.tradeId = $"T-{i}";
            record.sequenceNumber = i;
            record.quantity = Money.ToAvro(i * 1.25m);
            record.orderId = i % 2 == 0 ? null : $"O-{i}";
            return record;
        })];

        foreach (string topic in new[] { "bytes-a", "bytes-b" })
        {
            var context = new SerializationContext(MessageComponentType.Value, topic);
            foreach (TradeCreated record in records)
            {
                Assert.Equal(confluent.Serialize(record, context), serde.Serializer.Serialize(record, context));
            }
        }
    }
}
