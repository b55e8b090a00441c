using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Fixtures;

/// <summary>Producers of other schema versions than the current classes: Confluent's generic Avro serializer.</summary>
public static class Writers
{
    private static readonly RecordSchema s_tradeCreatedV1 = (RecordSchema)Avro.Schema.Parse(ContractSchemas.Read("TradeCreated.v1.avsc"));

    /// <summary>A TradeCreated written with version 1 of its schema (no orderId, no strategy), registered as a version of
    /// the trade-events subject like a producer on the old contract would.</summary>
    public static byte[] TradeCreatedV1(ISchemaRegistryClient registry, string topic, string account, long sequence, string tradeId, decimal quantity, decimal price)
    {
        var record = new GenericRecord(s_tradeCreatedV1);
        record.Add("tradeId", tradeId);
        record.Add("accountId", account);
        record.Add("instrumentId", "AAPL");
        record.Add("quantity", Money.ToAvro(quantity));
        record.Add("price", Money.ToAvro(price));
        record.Add("currency", "USD");
        record.Add("side", new GenericEnum((EnumSchema)s_tradeCreatedV1["side"].Schema, "BUY"));
        record.Add("timestamp", Events.Monday);
        record.Add("idempotencyKey", $"idem-v1-{account}-{sequence}");
        record.Add("sequenceNumber", sequence);
        return Serialize(registry, topic, record);
    }

    /// <summary>
    /// A record named TradeCreated whose schema cannot be read as the current class (it lacks required fields without
    /// defaults): an "unsupported version". Registered under another topic's subject, as the registry would refuse it as
    /// a version of trade-events' subject, then put on trade-events by a misconfigured producer.
    /// </summary>
    public static byte[] UnresolvableTradeCreated(ISchemaRegistryClient registry)
    {
        var schema = (RecordSchema)Avro.Schema.Parse("""
            {"type":"record","name":"TradeCreated","namespace":"PrimeBroker.Streams.Contracts",
             "fields":[{"name":"tradeId","type":"string"},{"name":"legacyNotional","type":"double"}]}
            """);
        var record = new GenericRecord(schema);
        record.Add("tradeId", "T-legacy");
        record.Add("legacyNotional", 1.5d);
        return Serialize(registry, "legacy-trade-events", record);
    }

    private static byte[] Serialize(ISchemaRegistryClient registry, string topic, GenericRecord record)
    {
        var serializer = new AvroSerializer<GenericRecord>(registry, new AvroSerializerConfig
        {
            AutoRegisterSchemas = true,
            SubjectNameStrategy = SubjectNameStrategy.TopicRecord,
        }).AsSyncOverAsync();
        return serializer.Serialize(record, new SerializationContext(MessageComponentType.Value, topic));
    }
}
