namespace PrimeBroker.Streams.Serialization.Embedded.Internal;

/// <summary>
/// An error answered the way Confluent Schema Registry answers it: an HTTP status and a body
/// <c>{"error_code": N, "message": "..."}</c>. Thrown by <see cref="InMemorySchemaStore"/>, turned into a response by
/// <see cref="RegistryEndpoints"/>.
/// </summary>
internal sealed class RegistryError : Exception
{
    private RegistryError(int status, int errorCode, string message)
        : base(message)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    public int Status { get; }

    public int ErrorCode { get; }

    public static RegistryError SubjectNotFound(string subject) => new(404, 40401, $"Subject '{subject}' not found.");

    public static RegistryError VersionNotFound(string subject, int version) =>
        new(404, 40402, $"Version {version} not found for subject '{subject}'.");

    public static RegistryError SchemaNotFound(string detail) => new(404, 40403, $"Schema not found: {detail}");

    public static RegistryError SubjectCompatibilityNotConfigured(string subject) =>
        new(404, 40408, $"Subject '{subject}' does not have subject-level compatibility configured");

    public static RegistryError Incompatible(string subject, IEnumerable<string> reasons) =>
        new(409, 409, $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{string.Join("; ", reasons)}]");

    public static RegistryError InvalidSchema(string detail) => new(422, 42201, $"Invalid schema: {detail}");

    public static RegistryError InvalidVersion(string version) => new(422, 42202, $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");

    public static RegistryError InvalidCompatibilityLevel(string? level) =>
        new(422, 42203, $"Invalid compatibility level '{level}'. Valid values are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE");

    public static RegistryError BadRequest(string detail) => new(400, 400, detail);
}
