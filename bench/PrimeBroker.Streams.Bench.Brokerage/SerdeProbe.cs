using System.Diagnostics;
using Avro.IO;
using Avro.Specific;
using Confluent.Kafka;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// Profile aid: the per-record cost of the Avro serde the topology uses for its outputs (the project's
/// <see cref="AvroSerdes"/>: Confluent's AvroSerializer run synchronously) against Apache.Avro's plain
/// <see cref="SpecificDatumWriter{T}"/> writing the same record with the 5-byte wire header, and how many thread-pool
/// work items each call costs (a sync-over-async call that hops to the pool waits for a pool thread to be scheduled,
/// which on a busy machine costs far more than the encoding). Single thread, after a warm-up.
/// </summary>
internal static class SerdeProbe
{
    public sealed record Result(int Calls, double SerdeMicros, double PoolItemsPerCall, double PlainWriterMicros, double DeserializeMicros);

    public static async Task<Result> RunAsync(BrokerageBenchOptions options, int calls = 20_000)
    {
        await using var environment = await BrokerageEnvironment.CreateAsync(options);
        var serde = AvroSerdes.For<PositionUpdated>(environment.Client);
        var context = new SerializationContext(MessageComponentType.Value, PrimeBrokerTopics.PositionEvents);
        var record = new PositionUpdated
        {
            accountId = "ACC-00001",
            instrumentId = "INS-00001",
            change = new PositionChange { quantityDelta = Money.ToAvro(5m), price = Money.ToAvro(10.5m) },
            newPosition = new PositionState { quantity = Money.ToAvro(5m), averageCost = Money.ToAvro(10.5m), realizedPnl = Money.ToAvro(0m) },
            timestamp = DateTime.UtcNow,
            tradeId = "T000000001",
            sequenceNumber = 1,
        };
        var bytes = serde.Serializer.Serialize(record, context); // registers the schema
        for (var i = 0; i < 2_000; i++)
        {
            bytes = serde.Serializer.Serialize(record, context);
            serde.Deserializer.Deserialize(bytes, false, context);
        }

        var poolBefore = ThreadPool.CompletedWorkItemCount;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            bytes = serde.Serializer.Serialize(record, context);
        }

        var serdeMicros = watch.Elapsed.TotalMicroseconds / calls;
        var poolItems = (ThreadPool.CompletedWorkItemCount - poolBefore) / (double)calls;

        watch.Restart();
        for (var i = 0; i < calls; i++)
        {
            serde.Deserializer.Deserialize(bytes, false, context);
        }

        var deserializeMicros = watch.Elapsed.TotalMicroseconds / calls;

        var writer = new SpecificDatumWriter<PositionUpdated>(PositionUpdated._SCHEMA);
        var stream = new MemoryStream();
        var encoder = new BinaryEncoder(stream);
        Span<byte> header = stackalloc byte[5];
        watch.Restart();
        for (var i = 0; i < calls; i++)
        {
            stream.SetLength(0);
            stream.Write(header);
            writer.Write(record, encoder);
            encoder.Flush();
            bytes = stream.ToArray();
        }

        return new Result(calls, serdeMicros, poolItems, watch.Elapsed.TotalMicroseconds / calls, deserializeMicros);
    }
}
