using System.Buffers.Binary;

namespace PrimeBroker.Streams.Serialization.Internal;

/// <summary>The Confluent framing: magic byte 0, then the schema id as a 4-byte big-endian int, then the Avro body.</summary>
internal static class WireFormat
{
    public const byte MagicByte = 0;
    public const int HeaderLength = 5;

    /// <summary>Reads the header, or throws <see cref="EventDeserializationException"/> if there is none.</summary>
    public static int ReadSchemaId(ReadOnlySpan<byte> data, bool isNull)
    {
        if (isNull || data.IsEmpty)
        {
            throw new EventDeserializationException(
                DeserializationFailureReason.EmptyPayload, "The value is null or empty; expected a Confluent Avro payload.");
        }

        if (data[0] != MagicByte)
        {
            throw new EventDeserializationException(
                DeserializationFailureReason.UnknownMagicByte,
                $"Unknown magic byte 0x{data[0]:X2}; the Confluent wire format starts with 0x00.");
        }

        if (data.Length < HeaderLength)
        {
            throw new EventDeserializationException(
                DeserializationFailureReason.HeaderTooShort,
                $"The value has {data.Length} bytes; the header alone needs {HeaderLength}.");
        }

        return BinaryPrimitives.ReadInt32BigEndian(data[1..HeaderLength]);
    }
}
