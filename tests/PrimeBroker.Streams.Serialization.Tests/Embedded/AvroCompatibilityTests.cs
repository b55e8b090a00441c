using PrimeBroker.Streams.Serialization.Embedded.Internal;

namespace PrimeBroker.Streams.Serialization.Tests.Embedded;

public sealed class AvroCompatibilityTests
{
    [Fact]
    public void RecursiveSchemaIsCheckedWithoutLoopingForever()
    {
        var schema = Avro.Schema.Parse(
            """{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]}""");

        Assert.Empty(AvroCompatibility.CanRead(schema, schema));
    }

    [Fact]
    public void EveryIncompatibilityIsReportedWithItsPath()
    {
        var writer = Avro.Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"}]}""");
        var reader = Avro.Schema.Parse(
            """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"},{"name":"c","type":"int"}]}""");

        IReadOnlyList<string> reasons = AvroCompatibility.CanRead(reader, writer);

        Assert.Equal(2, reasons.Count);
        Assert.StartsWith("/fields/a:", reasons[0]);
        Assert.StartsWith("/fields/c:", reasons[1]);
    }

    [Fact]
    public void WriterUnionNeedsEveryBranchReadable()
    {
        var writer = Avro.Schema.Parse("""["int","string"]""");

        Assert.Empty(AvroCompatibility.CanRead(Avro.Schema.Parse("""["string","long"]"""), writer));
        Assert.Single(AvroCompatibility.CanRead(Avro.Schema.Parse("\"long\""), writer));
    }

    [Fact]
    public void TimestampResolvesByItsLongBaseType() =>
        Assert.Empty(AvroCompatibility.CanRead(
            Avro.Schema.Parse("\"long\""), Avro.Schema.Parse("""{"type":"long","logicalType":"timestamp-millis"}""")));
}
