using System.Net;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization.Tests.Fixtures;

namespace PrimeBroker.Streams.Serialization.Tests.Embedded;

/// <summary>Registration of a second version through <see cref="CachedSchemaRegistryClient"/>, accepted or refused by the
/// subject's compatibility level (BACKWARD unless the test sets another).</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryCompatibilityTests(RegistryFixture fixture)
{
    private const string IntField = """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"int"}]}""";

    [Theory]
    [InlineData("add optional field with default",
        """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null}]}""")]
    [InlineData("remove a field",
        """{"type":"record","name":"R","namespace":"t","fields":[]}""")]
    [InlineData("promote int to long",
        """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"long"}]}""")]
    [InlineData("promote int to double",
        """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"double"}]}""")]
    [InlineData("widen to a union containing the old type",
        """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":["null","int"],"default":null}]}""")]
    [InlineData("rename the record with an alias for the old name",
        """{"type":"record","name":"R2","namespace":"t","aliases":["R"],"fields":[{"name":"a","type":"int"}]}""")]
    [InlineData("rename the field with an alias for the old name",
        """{"type":"record","name":"R","namespace":"t","fields":[{"name":"b","type":"int","aliases":["a"]}]}""")]
    public async Task BackwardCompatibleChangeIsRegisteredAsVersionTwo(string change, string next)
    {
        string subject = Subject(change);
        await Register(subject, IntField);

        await Register(subject, next);

        Assert.Equal([1, 2], await fixture.Client.GetSubjectVersionsAsync(subject));
    }

    [Theory]
    [InlineData("add a field without default",
        """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""",
        "'b'")]
    [InlineData("change int to string",
        """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"string"}]}""",
        "cannot read writer type int")]
    [InlineData("rename the record without alias",
        """{"type":"record","name":"Other","namespace":"t","fields":[{"name":"a","type":"int"}]}""",
        "does not match writer name t.R")]
    [InlineData("rename the field without alias",
        """{"type":"record","name":"R","namespace":"t","fields":[{"name":"b","type":"int"}]}""",
        "'b'")]
    public async Task BackwardIncompatibleChangeIsRefusedWith409AndTheReason(string change, string next, string reason)
    {
        string subject = Subject(change);
        await Register(subject, IntField);

        SchemaRegistryException e = await Assert.ThrowsAsync<SchemaRegistryException>(() => Register(subject, next));

        Assert.Equal(HttpStatusCode.Conflict, e.Status);
        Assert.Equal(409, e.ErrorCode);
        Assert.Contains(reason, e.Message);
        Assert.Equal([1], await fixture.Client.GetSubjectVersionsAsync(subject));
    }

    [Theory]
    [InlineData("long to int", "long", "int", false)]
    [InlineData("int to long", "int", "long", true)]
    [InlineData("long to float", "long", "float", true)]
    [InlineData("float to double", "float", "double", true)]
    [InlineData("double to float", "double", "float", false)]
    [InlineData("string to bytes", "string", "bytes", true)]
    [InlineData("bytes to string", "bytes", "string", true)]
    [InlineData("string to int", "string", "int", false)]
    [InlineData("decimal scale 8 to 4",
        """{"type":"bytes","logicalType":"decimal","precision":28,"scale":8}""",
        """{"type":"bytes","logicalType":"decimal","precision":28,"scale":4}""", false)]
    [InlineData("decimal precision 28 to 20",
        """{"type":"bytes","logicalType":"decimal","precision":28,"scale":8}""",
        """{"type":"bytes","logicalType":"decimal","precision":20,"scale":8}""", false)]
    [InlineData("enum symbol added",
        """{"type":"enum","name":"E","symbols":["A","B"]}""", """{"type":"enum","name":"E","symbols":["A","B","C"]}""", true)]
    [InlineData("enum symbol removed",
        """{"type":"enum","name":"E","symbols":["A","B"]}""", """{"type":"enum","name":"E","symbols":["A"]}""", false)]
    [InlineData("enum symbol removed with a reader default",
        """{"type":"enum","name":"E","symbols":["A","B"]}""", """{"type":"enum","name":"E","symbols":["A"],"default":"A"}""", true)]
    [InlineData("fixed size changed",
        """{"type":"fixed","name":"F","size":8}""", """{"type":"fixed","name":"F","size":16}""", false)]
    [InlineData("array items promoted",
        """{"type":"array","items":"int"}""", """{"type":"array","items":"long"}""", true)]
    [InlineData("map values changed to an unrelated type",
        """{"type":"map","values":"int"}""", """{"type":"map","values":"string"}""", false)]
    [InlineData("nullable narrowed to non-null",
        """["null","string"]""", "\"string\"", false)]
    public async Task FieldTypeChangeIsCheckedWithAvroResolutionRules(string change, string oldType, string newType, bool accepted)
    {
        string subject = Subject(change);
        await Register(subject, WithField(oldType));

        Exception? refused = await Record.ExceptionAsync(() => Register(subject, WithField(newType)));

        if (accepted)
        {
            Assert.Null(refused);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Conflict, Assert.IsType<SchemaRegistryException>(refused).Status);
        }
    }

    [Fact]
    public async Task NestedRecordFieldAddedWithoutDefaultIsRefused()
    {
        string subject = Subject("nested");
        await Register(subject, WithField("""{"type":"record","name":"N","fields":[{"name":"x","type":"int"}]}"""));

        SchemaRegistryException e = await Assert.ThrowsAsync<SchemaRegistryException>(() => Register(
            subject, WithField("""{"type":"record","name":"N","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]}""")));

        Assert.Contains("/fields/f/fields/y", e.Message);
    }

    [Fact]
    public async Task TradeCreatedV2IsABackwardCompatibleEvolutionOfV1()
    {
        string subject = Subject("trade-created");
        await Register(subject, ContractSchemas.Read("TradeCreated.v1.avsc"));

        await Register(subject, ContractSchemas.Read("TradeCreated.avsc"));

        Assert.Equal([1, 2], await fixture.Client.GetSubjectVersionsAsync(subject));
    }

    [Fact]
    public async Task ForwardLevelAcceptsAFieldWithoutDefaultButRefusesRemovingOne()
    {
        string subject = Subject("forward");
        await fixture.Client.UpdateCompatibilityAsync(Compatibility.Forward, subject);
        await Register(subject, IntField);

        await Register(subject, """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}""");
        SchemaRegistryException e = await Assert.ThrowsAsync<SchemaRegistryException>(
            () => Register(subject, """{"type":"record","name":"R","namespace":"t","fields":[{"name":"b","type":"int"}]}"""));

        Assert.Contains("FORWARD", e.Message);
    }

    [Fact]
    public async Task NoneLevelAcceptsAnyChange()
    {
        string subject = Subject("none");
        await fixture.Client.UpdateCompatibilityAsync(Compatibility.None, subject);
        await Register(subject, IntField);

        await Register(subject, """{"type":"record","name":"Other","fields":[{"name":"z","type":"string"}]}""");

        Assert.Equal([1, 2], await fixture.Client.GetSubjectVersionsAsync(subject));
    }

    [Fact]
    public async Task BackwardTransitiveChecksEveryVersionWhileBackwardChecksOnlyTheLatest()
    {
        const string v1 = """{"type":"record","name":"R","fields":[{"name":"x","type":"string"}]}""";
        const string v2 = """{"type":"record","name":"R","fields":[]}""";
        const string v3 = """{"type":"record","name":"R","fields":[{"name":"x","type":"int","default":0}]}""";
        string backward = Subject("backward-latest");
        string transitive = Subject("backward-transitive");
        await fixture.Client.UpdateCompatibilityAsync(Compatibility.BackwardTransitive, transitive);
        foreach (string subject in new[] { backward, transitive })
        {
            await Register(subject, v1);
            await Register(subject, v2);
        }

        await Register(backward, v3);
        SchemaRegistryException e = await Assert.ThrowsAsync<SchemaRegistryException>(() => Register(transitive, v3));

        Assert.Contains("version 1", e.Message);
    }

    [Fact]
    public async Task CompatibilityCheckAnswersWithoutRegistering()
    {
        string subject = Subject("check");
        await Register(subject, IntField);

        bool compatible = await fixture.Client.IsCompatibleAsync(subject, new Schema(
            """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"long"}]}""", SchemaType.Avro));
        bool incompatible = await fixture.Client.IsCompatibleAsync(subject, new Schema(
            """{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"string"}]}""", SchemaType.Avro));

        Assert.True(compatible);
        Assert.False(incompatible);
        Assert.Equal([1], await fixture.Client.GetSubjectVersionsAsync(subject));
    }

    /// <param name="type">Avro type JSON; a bare primitive name such as <c>int</c> is quoted.</param>
    private static string WithField(string type)
    {
        string json = type[0] is '{' or '[' or '"' ? type : $"\"{type}\"";
        return $$"""{"type":"record","name":"R","namespace":"t","fields":[{"name":"f","type":{{json}}}]}""";
    }

    private static string Subject(string change) => "compat-" + change.Replace(' ', '-');

    private Task<int> Register(string subject, string schema) =>
        fixture.Client.RegisterSchemaAsync(subject, new Schema(schema, SchemaType.Avro));
}
