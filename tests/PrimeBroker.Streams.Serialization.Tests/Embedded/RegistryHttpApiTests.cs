using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization.Embedded;
using PrimeBroker.Streams.Serialization.Tests.Fixtures;

namespace PrimeBroker.Streams.Serialization.Tests.Embedded;

/// <summary>Status codes, error bodies and the identity rules of the registry's REST API, seen through raw HTTP and the client.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryHttpApiTests(RegistryFixture fixture) : IDisposable
{
    private const string Schema1 = """{"type":"record","name":"H","namespace":"http","fields":[{"name":"a","type":"int"}]}""";
    private readonly HttpClient _http = new() { BaseAddress = new Uri(fixture.Registry.Url) };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task IncompatibleSchemaIs409WithErrorCode409AndTheReason()
    {
        await Post("/subjects/http-409/versions", Schema1);

        (HttpStatusCode status, JsonNode body) = await Post(
            "/subjects/http-409/versions",
            """{"type":"record","name":"H","namespace":"http","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}""");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(409, (int)body["error_code"]!);
        Assert.Contains("reader field 'b'", (string)body["message"]!);
    }

    [Fact]
    public async Task UnparseableSchemaIs422WithErrorCode42201()
    {
        (HttpStatusCode status, JsonNode body) = await Post("/subjects/http-422/versions", """{"type":"record","name":"X"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(42201, (int)body["error_code"]!);
    }

    [Theory]
    [InlineData("/subjects/http-missing/versions", 40401)]
    [InlineData("/subjects/http-missing/versions/latest", 40401)]
    [InlineData("/schemas/ids/987654", 40403)]
    public async Task MissingResourceIs404WithItsErrorCode(string path, int errorCode)
    {
        using HttpResponseMessage response = await _http.GetAsync(path);
        JsonNode body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(errorCode, (int)body["error_code"]!);
    }

    [Fact]
    public async Task MissingVersionIs404With40402()
    {
        await Post("/subjects/http-version/versions", Schema1);

        using HttpResponseMessage response = await _http.GetAsync("/subjects/http-version/versions/7");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(40402, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error_code"]!);
    }

    [Fact]
    public async Task CompatibilityEndpointAnswersIsCompatibleAndMessages()
    {
        await Post("/subjects/http-compat/versions", Schema1);

        (HttpStatusCode status, JsonNode body) = await Post(
            "/compatibility/subjects/http-compat/versions/latest",
            """{"type":"record","name":"H","namespace":"http","fields":[{"name":"a","type":"string"}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False((bool)body["is_compatible"]!);
        Assert.NotEmpty(body["messages"]!.AsArray());
    }

    [Fact]
    public async Task SameSchemaTwiceUnderASubjectReturnsTheSameIdAndOneVersion()
    {
        using CachedSchemaRegistryClient client = fixture.NewClient();
        int first = await client.RegisterSchemaAsync("http-twice", new Schema(Schema1, SchemaType.Avro));
        (_, JsonNode again) = await Post("/subjects/http-twice/versions", Schema1.Replace(",", " , "));

        Assert.Equal(first, (int)again["id"]!);
        Assert.Equal([1], await client.GetSubjectVersionsAsync("http-twice"));
    }

    [Fact]
    public async Task SameSchemaUnderAnotherSubjectReusesTheGlobalId()
    {
        (_, JsonNode a) = await Post("/subjects/http-global-a/versions", Schema1);
        (_, JsonNode b) = await Post("/subjects/http-global-b/versions", Schema1);

        Assert.Equal((int)a["id"]!, (int)b["id"]!);
    }

    [Fact]
    public async Task ClientReadsBackWhatItRegisteredByIdVersionAndLookup()
    {
        using CachedSchemaRegistryClient client = fixture.NewClient();
        string text = ContractSchemas.Read("InstrumentUpdated.avsc");
        int id = await client.RegisterSchemaAsync("http-read-back", new Schema(text, SchemaType.Avro));

        Schema byId = await client.GetSchemaAsync(id);
        RegisteredSchema latest = await client.GetLatestSchemaAsync("http-read-back");
        RegisteredSchema version1 = await client.GetRegisteredSchemaAsync("http-read-back", 1);
        RegisteredSchema lookedUp = await client.LookupSchemaAsync("http-read-back", new Schema(text, SchemaType.Avro), ignoreDeletedSchemas: true);

        Assert.Equal(text, byId.SchemaString);
        Assert.Equal(SchemaType.Avro, byId.SchemaType);
        Assert.Equal((id, 1), (latest.Id, latest.Version));
        Assert.Equal((id, 1, "http-read-back"), (version1.Id, version1.Version, version1.Subject));
        Assert.Equal((id, 1), (lookedUp.Id, lookedUp.Version));
        Assert.Contains("http-read-back", await client.GetAllSubjectsAsync());
    }

    [Fact]
    public async Task LookupOfAnUnregisteredSchemaIs40403()
    {
        using CachedSchemaRegistryClient client = fixture.NewClient();
        await client.RegisterSchemaAsync("http-lookup", new Schema(Schema1, SchemaType.Avro));

        SchemaRegistryException e = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.LookupSchemaAsync(
            "http-lookup", new Schema("""{"type":"record","name":"Z","fields":[]}""", SchemaType.Avro), ignoreDeletedSchemas: true));

        Assert.Equal(40403, e.ErrorCode);
    }

    [Fact]
    public async Task SubjectCompatibilityIsSetAndReadThroughTheClient()
    {
        using CachedSchemaRegistryClient client = fixture.NewClient();

        Compatibility set = await client.UpdateCompatibilityAsync(Compatibility.FullTransitive, "http-config");

        Assert.Equal(Compatibility.FullTransitive, set);
        Assert.Equal(Compatibility.FullTransitive, await client.GetCompatibilityAsync("http-config"));
    }

    [Fact]
    public async Task GlobalCompatibilityDefaultsToTheConfiguredLevelAndCanBeChanged()
    {
        await using EmbeddedSchemaRegistry registry = await EmbeddedSchemaRegistry.StartAsync(
            new EmbeddedSchemaRegistryOptions { DefaultCompatibility = Compatibility.Full });
        using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url });

        Compatibility initial = await client.GetCompatibilityAsync();
        await client.UpdateCompatibilityAsync(Compatibility.None);

        Assert.Equal(Compatibility.Full, initial);
        Assert.Equal(Compatibility.None, await client.GetCompatibilityAsync());
    }

    [Fact]
    public async Task ConfluentSerializerWithTheDefaultAssociatedStrategyFallsBackToTopicSubjects()
    {
        // The 2.14 default asks GET /associations/resources/...; this registry answers [] and the client falls back.
        var serializer = new AvroSerializer<TradeCancelled>(fixture.Client);

        await serializer.SerializeAsync(Samples.TradeCancelled(), new SerializationContext(MessageComponentType.Value, "http-associated"));

        Assert.Contains("http-associated-value", await fixture.Client.GetAllSubjectsAsync());
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> Post(string path, string schema)
    {
        string json = JsonSerializer.Serialize(new { schema });
        using var content = new StringContent(json, Encoding.UTF8, "application/vnd.schemaregistry.v1+json");
        using HttpResponseMessage response = await _http.PostAsync(path, content);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
