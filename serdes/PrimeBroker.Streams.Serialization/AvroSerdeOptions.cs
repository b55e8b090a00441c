using System.Globalization;

namespace PrimeBroker.Streams.Serialization;

/// <summary>
/// Settings of the Avro serdes built by <see cref="AvroSerdes"/>. Immutable; validated when a serde is built.
/// </summary>
/// <remarks>
/// The subject-name strategy is not a setting: it is always <c>TopicRecord</c> (subject
/// <c>&lt;topic&gt;-&lt;record full name&gt;</c>), because trade-events carries three record types.
/// </remarks>
public sealed record AvroSerdeOptions
{
    /// <summary>Configuration key of <see cref="AutoRegisterSchemas"/> for <see cref="FromProperties"/>.</summary>
    public const string AutoRegisterSchemasKey = "auto.register.schemas";

    /// <summary>Configuration key of <see cref="NormalizeSchemas"/> for <see cref="FromProperties"/>.</summary>
    public const string NormalizeSchemasKey = "normalize.schemas";

    /// <summary>Configuration key of <see cref="InitialBufferBytes"/> for <see cref="FromProperties"/>.</summary>
    public const string InitialBufferBytesKey = "buffer.bytes";

    /// <summary>
    /// True (default): the serializer registers its schema under the subject on first use (and the registry checks
    /// compatibility). False: it only looks the schema up and fails if it was not registered beforehand, the usual
    /// choice in production where schemas are registered by CI.
    /// </summary>
    public bool AutoRegisterSchemas { get; init; } = true;

    /// <summary>Ask the registry to normalize schemas when registering or looking up. Default false.</summary>
    public bool NormalizeSchemas { get; init; }

    /// <summary>Initial size in bytes of the serializer's output buffer; it grows as needed. Default 1024; must be positive.</summary>
    public int InitialBufferBytes { get; init; } = 1024;

    /// <summary>
    /// Builds options from string key/value pairs (e.g. a configuration section), using the <c>*Key</c> constants.
    /// Absent keys keep their defaults.
    /// </summary>
    /// <exception cref="ArgumentException">A key is unknown or a value does not parse.</exception>
    public static AvroSerdeOptions FromProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var options = new AvroSerdeOptions();
        foreach ((string key, string value) in properties)
        {
            options = key switch
            {
                AutoRegisterSchemasKey => options with { AutoRegisterSchemas = ParseBool(key, value) },
                NormalizeSchemasKey => options with { NormalizeSchemas = ParseBool(key, value) },
                InitialBufferBytesKey => options with { InitialBufferBytes = ParseInt(key, value) },
                _ => throw new ArgumentException($"Unknown Avro serde configuration key '{key}'.", nameof(properties)),
            };
        }

        options.Validate();
        return options;
    }

    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    internal void Validate()
    {
        if (InitialBufferBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(InitialBufferBytes), InitialBufferBytes, "The initial buffer size must be positive.");
        }
    }

    private static bool ParseBool(string key, string value) =>
        bool.TryParse(value, out bool parsed)
            ? parsed
            : throw new ArgumentException($"Configuration key '{key}' expects true or false, got '{value}'.");

    private static int ParseInt(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : throw new ArgumentException($"Configuration key '{key}' expects an integer, got '{value}'.");
}
