using Avro;
using Avro.Generic;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization.Tests.Fixtures;

namespace PrimeBroker.Streams.Serialization.Tests;

[Collection(RegistryCollection.Name)]
public sealed class SchemaEvolutionTests(RegistryFixture fixture)
{
    private static readonly RecordSchema s_v1 = (RecordSchema)Avro.Schema.Parse(ContractSchemas.Read("TradeCreated.v1.avsc"));

    [Fact]
    public void TradeCreatedWrittenWithV1IsReadIntoTheV2ClassWithNullNewFields()
    {
        const string topic = "evolution-v1-trades";
        byte[] bytes = SerializeV1(topic);

        TradeCreated read = AvroSerdes.For<TradeCreated>(fixture.Client).Deserializer
            .Deserialize(bytes, isNull: false, new SerializationContext(MessageComponentType.Value, topic));

        Assert.Null(read.orderId);
        Assert.Null(read.strategy);
        Assert.Equal("T-1", read.tradeId);
        Assert.Equal("ACC-0001", read.accountId);
        Assert.Equal("AAPL", read.instrumentId);
        Assert.Equal(1500m, Money.FromAvro(read.quantity));
        Assert.Equal(187.12345678m, Money.FromAvro(read.price));
        Assert.Equal("USD", read.currency);
        Assert.Equal(TradeSide.BUY, read.side);
        Assert.Equal(Samples.Time, read.timestamp);
        Assert.Equal("idem-1", read.idempotencyKey);
        Assert.Equal(42, read.sequenceNumber);
    }

    [Fact]
    public void TradeEventsSerdeReadsV1TradeCreatedAsTheV2Class()
    {
        const string topic = "evolution-v1-trade-events";
        byte[] bytes = SerializeV1(topic);

        ISpecificRecord read = TradeEventsSerde.Create(fixture.Client).Deserializer
            .Deserialize(bytes, isNull: false, new SerializationContext(MessageComponentType.Value, topic));

        TradeCreated trade = Assert.IsType<TradeCreated>(read);
        Assert.Null(trade.orderId);
        Assert.Equal(42, trade.sequenceNumber);
    }

    [Fact]
    public async Task V2IsRegisteredAsTheNextVersionOfTheV1Subject()
    {
        const string topic = "evolution-v1-then-v2";
        SerializeV1(topic);

        AvroSerdes.For<TradeCreated>(fixture.Client).Serializer
            .Serialize(Samples.TradeCreated(), new SerializationContext(MessageComponentType.Value, topic));

        Assert.Equal([1, 2], await fixture.Client.GetSubjectVersionsAsync($"{topic}-PrimeBroker.Streams.Contracts.TradeCreated"));
    }

    /// <summary>Writes a v1 TradeCreated with Confluent's generic serializer, which registers the v1 schema.</summary>
    private byte[] SerializeV1(string topic)
    {
        var record = new GenericRecord(s_v1);
        record.Add("tradeId", "T-1");
        record.Add("accountId", "ACC-0001");
        record.Add("instrumentId", "AAPL");
        record.Add("quantity", Money.ToAvro(1500m));
        record.Add("price", Money.ToAvro(187.12345678m));
        record.Add("currency", "USD");
        record.Add("side", new GenericEnum((EnumSchema)s_v1["side"].Schema, "BUY"));
        record.Add("timestamp", Samples.Time);
        record.Add("idempotencyKey", "idem-1");
        record.Add("sequenceNumber", 42L);

        ISerializer<GenericRecord> serializer = new AvroSerializer<GenericRecord>(
            fixture.Client, new AvroSerializerConfig { SubjectNameStrategy = SubjectNameStrategy.TopicRecord }).AsSyncOverAsync();
        return serializer.Serialize(record, new SerializationContext(MessageComponentType.Value, topic));
    }
}
