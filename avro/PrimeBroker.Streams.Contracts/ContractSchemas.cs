using System.Reflection;

namespace PrimeBroker.Streams.Contracts;

/// <summary>
/// The contract's <c>.avsc</c> files (from <c>avro/schemas/</c>), embedded in this assembly, including historical versions
/// such as <c>TradeCreated.v1.avsc</c> that have no generated type. Thread-safe.
/// </summary>
public static class ContractSchemas
{
    private const string ResourcePrefix = "PrimeBroker.Streams.Contracts.Schemas.";

    /// <summary>File names of all embedded schemas (e.g. <c>TradeCreated.avsc</c>), sorted ordinally.</summary>
    public static IReadOnlyList<string> FileNames { get; } = typeof(ContractSchemas).Assembly
        .GetManifestResourceNames()
        .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Select(name => name[ResourcePrefix.Length..])
        .OrderBy(name => name, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The text of one schema file, exactly as checked in.</summary>
    /// <exception cref="ArgumentException">No schema of that file name is embedded.</exception>
    public static string Read(string fileName)
    {
        Assembly assembly = typeof(ContractSchemas).Assembly;
        using Stream stream = assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new ArgumentException($"No embedded contract schema named '{fileName}'.", nameof(fileName));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
