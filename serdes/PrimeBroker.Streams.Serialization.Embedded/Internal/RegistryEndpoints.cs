using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.SchemaRegistry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PrimeBroker.Streams.Serialization.Embedded.Internal;

/// <summary>
/// The Confluent Schema Registry REST subset that <c>CachedSchemaRegistryClient</c> 2.14 calls (see
/// confluent-kafka-dotnet <c>src/Confluent.SchemaRegistry/Rest/RestService.cs</c>), mapped onto an
/// <see cref="InMemorySchemaStore"/>. Only AVRO schemas without references are accepted.
/// </summary>
/// <remarks>
/// Bodies are read by hand: the client sends <c>application/vnd.schemaregistry.v1+json</c>, which minimal-API body
/// binding would refuse. Query parameters <c>normalize</c>, <c>deleted</c>, <c>format</c> and <c>subject</c> are accepted
/// and ignored (nothing is ever deleted; schema ids are global).
/// </remarks>
internal static class RegistryEndpoints
{
    public static void Map(IEndpointRouteBuilder app, InMemorySchemaStore store)
    {
        app.MapGet("/", () => Ok(new JsonObject()));
        app.MapGet("/schemas/types", () => Ok(new JsonArray("AVRO")));

        app.MapGet("/schemas/ids/{id}", (string id) => Handle(() =>
        {
            InMemorySchemaStore.StoredSchema schema = store.GetById(ParseId(id));
            return Ok(new JsonObject { ["schema"] = schema.Text });
        }));

        app.MapGet("/schemas/ids/{id}/schema", (string id) => Handle(() => Raw(store.GetById(ParseId(id)).Text)));

        app.MapGet("/subjects", () => Handle(() => Ok(ToArray(store.Subjects()))));

        app.MapGet("/subjects/{subject}/versions", (string subject) => Handle(() => Ok(ToArray(store.Versions(subject)))));

        app.MapPost("/subjects/{subject}/versions", (string subject, HttpRequest request) => HandleAsync(async () =>
        {
            string schema = await ReadSchemaAsync(request);
            int id = store.Register(subject, schema);
            return Ok(new JsonObject { ["id"] = id });
        }));

        app.MapPost("/subjects/{subject}", (string subject, HttpRequest request) => HandleAsync(async () =>
            Ok(ToJson(store.Lookup(subject, await ReadSchemaAsync(request))))));

        app.MapGet("/subjects/{subject}/versions/{version}", (string subject, string version) => Handle(() =>
            Ok(ToJson(store.GetVersion(subject, ParseVersion(version))))));

        app.MapGet("/subjects/{subject}/versions/{version}/schema", (string subject, string version) => Handle(() =>
            Raw(store.GetVersion(subject, ParseVersion(version)).Schema)));

        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", (string subject, string version, HttpRequest request) =>
            HandleAsync(async () =>
            {
                IReadOnlyList<string> reasons = store.CheckCompatibility(subject, ParseVersion(version), await ReadSchemaAsync(request));
                return Ok(new JsonObject { ["is_compatible"] = reasons.Count == 0, ["messages"] = ToArray(reasons) });
            }));

        app.MapGet("/config", () => Handle(() => Ok(ConfigJson(store.GetCompatibility(null), "compatibilityLevel"))));
        app.MapGet("/config/{subject}", (string subject) => Handle(() => Ok(ConfigJson(store.GetCompatibility(subject), "compatibilityLevel"))));
        app.MapPut("/config", (HttpRequest request) => HandleAsync(async () => Ok(ConfigJson(await SetLevelAsync(store, null, request), "compatibility"))));
        app.MapPut("/config/{subject}", (string subject, HttpRequest request) =>
            HandleAsync(async () => Ok(ConfigJson(await SetLevelAsync(store, subject, request), "compatibility"))));

        // Confluent serdes 2.14 ask for topic-to-subject associations under the default (Associated) strategy; this
        // registry keeps none, so the answer is always an empty list and the client falls back to its strategy.
        app.MapGet("/associations/resources/{resourceNamespace}/{resourceName}", () => Ok(new JsonArray()));
    }

    private static IResult Handle(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (RegistryError e)
        {
            return Error(e);
        }
    }

    private static async Task<IResult> HandleAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (RegistryError e)
        {
            return Error(e);
        }
    }

    private static IResult Ok(JsonNode body) => Results.Text(body.ToJsonString(), "application/vnd.schemaregistry.v1+json", statusCode: 200);

    private static IResult Raw(string schema) => Results.Text(schema, "application/json", statusCode: 200);

    private static IResult Error(RegistryError e) =>
        Results.Text(
            new JsonObject { ["error_code"] = e.ErrorCode, ["message"] = e.Message }.ToJsonString(),
            "application/vnd.schemaregistry.v1+json",
            statusCode: e.Status);

    private static JsonObject ToJson(InMemorySchemaStore.SubjectVersion version) => new()
    {
        ["subject"] = version.Subject,
        ["version"] = version.Version,
        ["id"] = version.Id,
        ["schema"] = version.Schema,
    };

    private static JsonArray ToArray<TItem>(IEnumerable<TItem> items) =>
        new(items.Select(item => JsonValue.Create(item)).ToArray<JsonNode?>());

    // GET answers "compatibilityLevel" (as the real registry does); PUT echoes "compatibility" (its request key, and
    // the key the 2.14 client's ServerConfig reads). Both keys are sent so either reader finds its value.
    private static JsonObject ConfigJson(Compatibility level, string primaryKey)
    {
        string name = CompatibilityLevels.Name(level);
        return primaryKey == "compatibility"
            ? new JsonObject { ["compatibility"] = name }
            : new JsonObject { ["compatibilityLevel"] = name, ["compatibility"] = name };
    }

    private static async Task<Compatibility> SetLevelAsync(InMemorySchemaStore store, string? subject, HttpRequest request)
    {
        JsonObject body = await ReadObjectAsync(request);
        Compatibility level = CompatibilityLevels.Parse((string?)body["compatibility"]);
        store.SetCompatibility(subject, level);
        return level;
    }

    private static async Task<string> ReadSchemaAsync(HttpRequest request)
    {
        JsonObject body = await ReadObjectAsync(request);
        string? schemaType = (string?)body["schemaType"];
        if (schemaType is not null && !string.Equals(schemaType, "AVRO", StringComparison.OrdinalIgnoreCase))
        {
            throw RegistryError.InvalidSchema($"schema type {schemaType} is not supported by this registry; only AVRO.");
        }

        if (body["references"] is JsonArray { Count: > 0 })
        {
            throw RegistryError.InvalidSchema("schema references are not supported by this registry.");
        }

        return (string?)body["schema"] ?? throw RegistryError.InvalidSchema("the request has no 'schema' string.");
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body) as JsonObject
                ?? throw RegistryError.BadRequest("The request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw RegistryError.BadRequest($"The request body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            throw RegistryError.InvalidSchema($"unexpected JSON value: {e.Message}");
        }
    }

    private static int ParseId(string id) =>
        int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : throw RegistryError.SchemaNotFound($"id '{id}'.");

    /// <returns>The version number, or null for "latest" (and -1, its numeric alias).</returns>
    private static int? ParseVersion(string version)
    {
        if (version == "latest" || version == "-1")
        {
            return null;
        }

        return int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed >= 1
            ? parsed
            : throw RegistryError.InvalidVersion(version);
    }
}
