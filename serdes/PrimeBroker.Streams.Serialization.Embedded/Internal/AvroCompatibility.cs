using Avro;

namespace PrimeBroker.Streams.Serialization.Embedded.Internal;

/// <summary>
/// Avro schema resolution as a compatibility check: can data written with one schema be read with another? Follows
/// the resolution rules of the Avro specification, plus Confluent's stricter rule that decimal precision and scale must
/// match. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Rules, applied recursively (each failure is reported with a JSON-pointer-like path):
/// <list type="bullet">
/// <item><description>a writer union: every branch must be readable; a reader union: some branch must read the writer;</description></item>
/// <item><description>primitives: same type, or a promotion int→long/float/double, long→float/double, float→double, string↔bytes;</description></item>
/// <item><description>decimal: both sides decimal with equal precision and scale (other logical types resolve by their base type);</description></item>
/// <item><description>records, enums, fixed: full names equal, or the writer's full name among the reader's aliases;</description></item>
/// <item><description>records: each reader field is found in the writer (by name or reader alias) and readable, or has a default;
/// writer fields the reader lacks are skipped;</description></item>
/// <item><description>enums: each writer symbol is a reader symbol, unless the reader enum has a default;</description></item>
/// <item><description>fixed: equal sizes; arrays and maps: items and values readable.</description></item>
/// </list>
/// </remarks>
internal static class AvroCompatibility
{
    /// <summary>Reasons why data written with <paramref name="writer"/> cannot be read with <paramref name="reader"/>; empty if it can.</summary>
    public static IReadOnlyList<string> CanRead(Schema reader, Schema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        var check = new Check(new HashSet<(string, string)>());
        check.Visit(reader, writer, "");
        return check.Reasons;
    }

    private sealed class Check
    {
        // Record pairs already being compared, shared with the trial checks of union branches: a recursive schema
        // would otherwise never finish. A pair met again is assumed compatible; its first visit decides.
        private readonly HashSet<(string Reader, string Writer)> _visitingRecords;

        public Check(HashSet<(string Reader, string Writer)> visitingRecords) => _visitingRecords = visitingRecords;

        public List<string> Reasons { get; } = new();

        public void Visit(Schema reader, Schema writer, string path)
        {
            if (writer is UnionSchema writerUnion)
            {
                for (int i = 0; i < writerUnion.Count; i++)
                {
                    Visit(reader, writerUnion[i], $"{path}/{i}");
                }

                return;
            }

            if (reader is UnionSchema readerUnion)
            {
                if (!readerUnion.Schemas.Any(branch => CanReadQuietly(branch, writer)))
                {
                    Fail(path, $"reader union {Describe(reader)} has no branch that can read writer type {Describe(writer)}");
                }

                return;
            }

            if (!DecimalsMatch(reader, writer, path))
            {
                return;
            }

            Schema readerBase = Base(reader);
            Schema writerBase = Base(writer);
            switch (readerBase)
            {
                case RecordSchema readerRecord when writerBase is RecordSchema writerRecord:
                    VisitRecord(readerRecord, writerRecord, path);
                    break;
                case EnumSchema readerEnum when writerBase is EnumSchema writerEnum:
                    VisitEnum(readerEnum, writerEnum, path);
                    break;
                case FixedSchema readerFixed when writerBase is FixedSchema writerFixed:
                    if (NamesMatch(readerFixed, writerFixed, path) && readerFixed.Size != writerFixed.Size)
                    {
                        Fail(path, $"fixed {readerFixed.Fullname} has size {readerFixed.Size} in the reader and {writerFixed.Size} in the writer");
                    }

                    break;
                case ArraySchema readerArray when writerBase is ArraySchema writerArray:
                    Visit(readerArray.ItemSchema, writerArray.ItemSchema, path + "/items");
                    break;
                case MapSchema readerMap when writerBase is MapSchema writerMap:
                    Visit(readerMap.ValueSchema, writerMap.ValueSchema, path + "/values");
                    break;
                case PrimitiveSchema when writerBase is PrimitiveSchema && PrimitiveCanRead(readerBase.Tag, writerBase.Tag):
                    break;
                default:
                    Fail(path, $"reader type {Describe(reader)} cannot read writer type {Describe(writer)}");
                    break;
            }
        }

        private bool CanReadQuietly(Schema reader, Schema writer)
        {
            var trial = new Check(_visitingRecords);
            trial.Visit(reader, writer, "");
            return trial.Reasons.Count == 0;
        }

        private void VisitRecord(RecordSchema reader, RecordSchema writer, string path)
        {
            if (!NamesMatch(reader, writer, path) || !_visitingRecords.Add((reader.Fullname, writer.Fullname)))
            {
                return;
            }

            foreach (Field readerField in reader.Fields)
            {
                Field? writerField = FindWriterField(readerField, writer);
                string fieldPath = $"{path}/fields/{readerField.Name}";
                if (writerField is not null)
                {
                    Visit(readerField.Schema, writerField.Schema, fieldPath);
                }
                else if (readerField.DefaultValue is null)
                {
                    Fail(fieldPath, $"reader field '{readerField.Name}' of {reader.Fullname} is missing in the writer and has no default");
                }
            }

            _visitingRecords.Remove((reader.Fullname, writer.Fullname));
        }

        private void VisitEnum(EnumSchema reader, EnumSchema writer, string path)
        {
            if (!NamesMatch(reader, writer, path) || reader.Default is not null)
            {
                return;
            }

            string[] missing = writer.Symbols.Where(symbol => !reader.Symbols.Contains(symbol)).ToArray();
            if (missing.Length > 0)
            {
                Fail(path, $"reader enum {reader.Fullname} lacks writer symbols {string.Join(", ", missing)} and has no default");
            }
        }

        private bool DecimalsMatch(Schema reader, Schema writer, string path)
        {
            (int Precision, int Scale)? readerDecimal = DecimalOf(reader);
            (int Precision, int Scale)? writerDecimal = DecimalOf(writer);
            if (readerDecimal == writerDecimal)
            {
                return true;
            }

            Fail(path, $"decimal mismatch: reader {DescribeDecimal(readerDecimal)}, writer {DescribeDecimal(writerDecimal)}");
            return false;
        }

        private bool NamesMatch(NamedSchema reader, NamedSchema writer, string path)
        {
            if (reader.Fullname == writer.Fullname || AliasesOf(reader).Contains(writer.Fullname))
            {
                return true;
            }

            Fail(path, $"reader name {reader.Fullname} does not match writer name {writer.Fullname} (and is not an alias)");
            return false;
        }

        private void Fail(string path, string reason) => Reasons.Add($"{(path.Length == 0 ? "/" : path)}: {reason}");

        // Apache.Avro keeps a named schema's aliases private; read them back from the schema's own JSON.
        private static IEnumerable<string> AliasesOf(NamedSchema schema)
        {
            if (Newtonsoft.Json.Linq.JObject.Parse(schema.ToString())["aliases"] is not Newtonsoft.Json.Linq.JArray aliases)
            {
                return [];
            }

            return aliases.Select(alias => (string?)alias ?? "")
                .Select(alias => alias.Contains('.') || string.IsNullOrEmpty(schema.Namespace) ? alias : $"{schema.Namespace}.{alias}");
        }

        private static Field? FindWriterField(Field readerField, RecordSchema writer)
        {
            if (writer.TryGetField(readerField.Name, out Field? byName))
            {
                return byName;
            }

            foreach (string alias in readerField.Aliases ?? [])
            {
                if (writer.TryGetField(alias, out Field? byAlias))
                {
                    return byAlias;
                }
            }

            return null;
        }

        private static bool PrimitiveCanRead(Schema.Type reader, Schema.Type writer) => (reader, writer) switch
        {
            _ when reader == writer => true,
            (Schema.Type.Long, Schema.Type.Int) => true,
            (Schema.Type.Float, Schema.Type.Int or Schema.Type.Long) => true,
            (Schema.Type.Double, Schema.Type.Int or Schema.Type.Long or Schema.Type.Float) => true,
            (Schema.Type.String, Schema.Type.Bytes) => true,
            (Schema.Type.Bytes, Schema.Type.String) => true,
            _ => false,
        };

        private static Schema Base(Schema schema) => schema is LogicalSchema logical ? logical.BaseSchema : schema;

        private static (int Precision, int Scale)? DecimalOf(Schema schema)
        {
            if (schema is not LogicalSchema { LogicalTypeName: "decimal" } logical)
            {
                return null;
            }

            int precision = int.Parse(logical.GetProperty("precision") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            string? scale = logical.GetProperty("scale");
            return (precision, scale is null ? 0 : int.Parse(scale, System.Globalization.CultureInfo.InvariantCulture));
        }

        private static string DescribeDecimal((int Precision, int Scale)? value) =>
            value is { } d ? $"decimal({d.Precision}, {d.Scale})" : "not a decimal";

        private static string Describe(Schema schema) => schema switch
        {
            NamedSchema named => $"{schema.Tag.ToString().ToLowerInvariant()} {named.Fullname}",
            LogicalSchema logical => $"{logical.BaseSchema.Tag.ToString().ToLowerInvariant()}/{logical.LogicalTypeName}",
            UnionSchema union => "[" + string.Join(", ", union.Schemas.Select(Describe)) + "]",
            _ => schema.Tag.ToString().ToLowerInvariant(),
        };
    }
}
