using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Serialization.Internal;

namespace PrimeBroker.Streams.Serialization;

/// <summary>
/// One generated Avro record class that a topic may carry; pass several to
/// <see cref="AvroSerdes.ForAnyOf(ISchemaRegistryClient, IEnumerable{AvroRecordType}, AvroSerdeOptions?)"/>.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
public sealed class AvroRecordType
{
    private readonly Func<ISchemaRegistryClient, AvroSerdeOptions, ISerializer<ISpecificRecord>> _serializerFactory;

    private AvroRecordType(Type clrType, RecordReader reader,
        Func<ISchemaRegistryClient, AvroSerdeOptions, ISerializer<ISpecificRecord>> serializerFactory)
    {
        ClrType = clrType;
        Reader = reader;
        _serializerFactory = serializerFactory;
    }

    /// <summary>The generated class, e.g. <c>typeof(TradeCreated)</c>.</summary>
    public Type ClrType { get; }

    /// <summary>The record's full name in its schema (namespace and name), e.g. <c>PrimeBroker.Streams.Contracts.TradeCreated</c>.</summary>
    public string FullName => Reader.ReaderSchema.Fullname;

    internal RecordReader Reader { get; }

    /// <summary>The record type of the generated class <typeparamref name="TRecord"/>.</summary>
    public static AvroRecordType Of<TRecord>()
        where TRecord : class, ISpecificRecord, new() =>
        new(typeof(TRecord), RecordReader.For<TRecord>(),
            (registry, options) => new MultiRecordSerializer.Upcast<TRecord>(new SpecificRecordSerializer<TRecord>(registry, options)));

    internal ISerializer<ISpecificRecord> CreateSerializer(ISchemaRegistryClient registry, AvroSerdeOptions options) =>
        _serializerFactory(registry, options);

    /// <inheritdoc/>
    public override string ToString() => FullName;
}
