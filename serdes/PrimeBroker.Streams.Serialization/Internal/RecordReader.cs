using Avro;
using Avro.IO;
using Avro.Specific;

namespace PrimeBroker.Streams.Serialization.Internal;

/// <summary>One target class a deserializer may produce, with its reader schema.</summary>
internal abstract class RecordReader
{
    protected RecordReader(RecordSchema readerSchema) => ReaderSchema = readerSchema;

    public RecordSchema ReaderSchema { get; }

    public static RecordReader For<TRecord>()
        where TRecord : class, ISpecificRecord, new() => new Typed<TRecord>();

    /// <summary>Prepares a reader resolving <paramref name="writerSchema"/> against <see cref="ReaderSchema"/>.</summary>
    /// <exception cref="AvroException">The schemas cannot be resolved.</exception>
    public abstract Func<Decoder, ISpecificRecord> Resolve(Schema writerSchema);

    private sealed class Typed<TRecord> : RecordReader
        where TRecord : class, ISpecificRecord, new()
    {
        public Typed()
            : base((RecordSchema)new TRecord().Schema)
        {
        }

        public override Func<Decoder, ISpecificRecord> Resolve(Schema writerSchema)
        {
            var reader = new SpecificDatumReader<TRecord>(writerSchema, ReaderSchema);
            return decoder =>
            {
                TRecord record = reader.Read(new TRecord(), decoder);
                DecodedRecordValidator.Validate(record);
                return record;
            };
        }
    }
}
