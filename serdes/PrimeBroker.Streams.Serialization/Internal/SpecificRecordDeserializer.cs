using System.Collections.Concurrent;
using Avro;
using Avro.IO;
using Avro.Specific;
using Confluent.Kafka;

namespace PrimeBroker.Streams.Serialization.Internal;

/// <summary>
/// Reads Confluent-framed Avro into one of a fixed set of generated classes, chosen by the writer schema's record full
/// name. Throws only <see cref="EventDeserializationException"/>. Thread-safe.
/// </summary>
internal sealed class SpecificRecordDeserializer<TValue> : IDeserializer<TValue>
    where TValue : class, ISpecificRecord
{
    private readonly WriterSchemaCache _writerSchemas;
    private readonly Dictionary<string, RecordReader> _readersByFullName;
    private readonly ConcurrentDictionary<int, Func<Decoder, ISpecificRecord>> _resolvedBySchemaId = new();

    public SpecificRecordDeserializer(Confluent.SchemaRegistry.ISchemaRegistryClient registry, IReadOnlyList<RecordReader> readers)
    {
        _writerSchemas = new WriterSchemaCache(registry);
        _readersByFullName = readers.ToDictionary(reader => reader.ReaderSchema.Fullname, StringComparer.Ordinal);
    }

    public TValue Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        int schemaId = WireFormat.ReadSchemaId(data, isNull);
        Func<Decoder, ISpecificRecord> read = _resolvedBySchemaId.TryGetValue(schemaId, out var resolved)
            ? resolved
            : _resolvedBySchemaId.GetOrAdd(schemaId, Resolve(schemaId));

        using var body = new MemoryStream(data[WireFormat.HeaderLength..].ToArray(), writable: false);
        ISpecificRecord record;
        try
        {
            record = read(new BinaryDecoder(body));
        }
        catch (Exception e)
        {
            // Anything thrown while decoding is caused by the bytes: Avro reports truncation as EndOfStreamException,
            // a bad union index or enum ordinal as AvroException, a bad length as Overflow or even OutOfMemory.
            throw new EventDeserializationException(
                DeserializationFailureReason.CorruptBody,
                $"The Avro body ({body.Length} bytes, schema id {schemaId}) is corrupt or truncated: {e.Message}", schemaId, e);
        }

        if (body.Position != body.Length)
        {
            throw new EventDeserializationException(
                DeserializationFailureReason.CorruptBody,
                $"The Avro body (schema id {schemaId}) has {body.Length - body.Position} bytes after the record.", schemaId);
        }

        return (TValue)record;
    }

    private Func<Decoder, ISpecificRecord> Resolve(int schemaId)
    {
        Schema writer = _writerSchemas.Get(schemaId);
        if (writer is not RecordSchema writerRecord || !_readersByFullName.TryGetValue(writerRecord.Fullname, out RecordReader? reader))
        {
            string expected = string.Join(", ", _readersByFullName.Keys.Order(StringComparer.Ordinal));
            throw new EventDeserializationException(
                DeserializationFailureReason.UnexpectedRecordType,
                $"Schema id {schemaId} is '{(writer as NamedSchema)?.Fullname ?? writer.Tag.ToString()}'; expected one of: {expected}.",
                schemaId);
        }

        try
        {
            return reader.Resolve(writer);
        }
        catch (AvroException e)
        {
            throw new EventDeserializationException(
                DeserializationFailureReason.IncompatibleSchema,
                $"Writer schema id {schemaId} cannot be read as {reader.ReaderSchema.Fullname}: {e.Message}", schemaId, e);
        }
    }
}
