using Avro.Specific;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;

namespace PrimeBroker.Streams.Serialization.Internal;

/// <summary>
/// Confluent's <see cref="AvroSerializer{T}"/> with the TopicRecord subject strategy, run synchronously. Refuses a null
/// record instead of writing a null value. Thread-safe.
/// </summary>
internal sealed class SpecificRecordSerializer<TRecord> : ISerializer<TRecord>
    where TRecord : class, ISpecificRecord
{
    private readonly ISerializer<TRecord> _inner;

    public SpecificRecordSerializer(ISchemaRegistryClient registry, AvroSerdeOptions options)
    {
        var config = new AvroSerializerConfig
        {
            AutoRegisterSchemas = options.AutoRegisterSchemas,
            NormalizeSchemas = options.NormalizeSchemas,
            BufferBytes = options.InitialBufferBytes,
            UseLatestVersion = false,
            // Several record types share trade-events; TopicRecord gives each its own subject and compatibility line.
            // Set explicitly: the 2.14 default (Associated) asks the registry for topic associations first.
            SubjectNameStrategy = SubjectNameStrategy.TopicRecord,
        };
        _inner = new AvroSerializer<TRecord>(registry, config).AsSyncOverAsync();
    }

    public byte[] Serialize(TRecord data, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (string.IsNullOrEmpty(context.Topic))
        {
            throw new ArgumentException("The serialization context has no topic; the subject name needs it.", nameof(context));
        }

        return _inner.Serialize(data, context);
    }
}
