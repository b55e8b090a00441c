using System.Collections.Concurrent;
using System.Net;
using Confluent.SchemaRegistry;

namespace PrimeBroker.Streams.Serialization.Internal;

/// <summary>
/// Writer schemas by registry id, fetched once each with <c>GetSchemaBySubjectAndIdAsync(null, id)</c> — the same
/// request (<c>GET /schemas/ids/{id}</c>) Confluent's deserializer makes. Thread-safe.
/// </summary>
internal sealed class WriterSchemaCache
{
    private readonly ISchemaRegistryClient _registry;
    private readonly ConcurrentDictionary<int, Avro.Schema> _schemas = new();

    public WriterSchemaCache(ISchemaRegistryClient registry) => _registry = registry;

    /// <exception cref="EventDeserializationException">Unknown id, registry unreachable, or not an Avro schema.</exception>
    public Avro.Schema Get(int schemaId)
    {
        if (_schemas.TryGetValue(schemaId, out Avro.Schema? cached))
        {
            return cached;
        }

        Schema registered = Fetch(schemaId);
        if (registered.SchemaType != SchemaType.Avro || registered.References is { Count: > 0 })
        {
            throw new EventDeserializationException(
                DeserializationFailureReason.UnexpectedRecordType,
                $"Schema {schemaId} is a {registered.SchemaType} schema or has references; expected a self-contained Avro schema.",
                schemaId);
        }

        Avro.Schema parsed;
        try
        {
            parsed = Avro.Schema.Parse(registered.SchemaString);
        }
        catch (Avro.SchemaParseException e)
        {
            throw new EventDeserializationException(
                DeserializationFailureReason.UnexpectedRecordType, $"Schema {schemaId} is not valid Avro: {e.Message}", schemaId, e);
        }

        return _schemas.GetOrAdd(schemaId, parsed);
    }

    // Anything but "not found" is reported as the registry being unavailable, including the client's own failures
    // (2.14 throws NullReferenceException when MaxRetries is 0 and the registry is unreachable).
    private Schema Fetch(int schemaId)
    {
        try
        {
            return _registry.GetSchemaBySubjectAndIdAsync(null, schemaId).ConfigureAwait(false).GetAwaiter().GetResult();
        }
        catch (SchemaRegistryException e) when (e.Status == HttpStatusCode.NotFound)
        {
            throw new EventDeserializationException(
                DeserializationFailureReason.UnknownSchemaId, $"The schema registry does not know schema id {schemaId}.", schemaId, e);
        }
        catch (Exception e)
        {
            throw new EventDeserializationException(
                DeserializationFailureReason.SchemaRegistryUnavailable,
                $"Could not fetch schema id {schemaId} from the schema registry: {e.Message}", schemaId, e);
        }
    }
}
