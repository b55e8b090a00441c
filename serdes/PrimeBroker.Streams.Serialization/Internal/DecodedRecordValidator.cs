using System.Collections;
using Avro;
using Avro.Specific;

namespace PrimeBroker.Streams.Serialization.Internal;

/// <summary>
/// Checks what Apache.Avro does not: when the writer's and reader's enum are the same, its resolving reader copies
/// the ordinal from the bytes without a range check, so a corrupt ordinal becomes an undefined C# enum value
/// (measured with Apache.Avro 1.12.2: ordinal 9 of a two-symbol enum reads as <c>(TradeSide)9</c>).
/// </summary>
internal static class DecodedRecordValidator
{
    /// <exception cref="AvroException">A decoded enum value is not one of its type's symbols.</exception>
    public static void Validate(ISpecificRecord record)
    {
        foreach (Field field in ((RecordSchema)record.Schema).Fields)
        {
            ValidateValue(record.Get(field.Pos), field.Name);
        }
    }

    private static void ValidateValue(object? value, string path)
    {
        switch (value)
        {
            case null or string or byte[]:
                return;
            case Enum enumValue when !Enum.IsDefined(enumValue.GetType(), enumValue):
                throw new AvroException($"Field '{path}' has enum ordinal {Convert.ToInt64(enumValue, System.Globalization.CultureInfo.InvariantCulture)}, not a symbol of {enumValue.GetType().Name}.");
            case ISpecificRecord nested:
                foreach (Field field in ((RecordSchema)nested.Schema).Fields)
                {
                    ValidateValue(nested.Get(field.Pos), $"{path}.{field.Name}");
                }

                return;
            case IDictionary map:
                foreach (DictionaryEntry entry in map)
                {
                    ValidateValue(entry.Value, $"{path}[{entry.Key}]");
                }

                return;
            case IList list:
                for (int i = 0; i < list.Count; i++)
                {
                    ValidateValue(list[i], $"{path}[{i}]");
                }

                return;
        }
    }
}
