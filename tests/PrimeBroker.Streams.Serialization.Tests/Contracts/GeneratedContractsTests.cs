using System.Reflection;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Contracts.Generator;

namespace PrimeBroker.Streams.Serialization.Tests.Contracts;

/// <summary>The .avsc files are the source of truth: the checked-in C# must be exactly what they generate.</summary>
public sealed class GeneratedContractsTests
{
    private static readonly string s_root = typeof(GeneratedContractsTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "RepositoryRoot").Value!;

    private static string SchemaDirectory => Path.Combine(s_root, "avro", "schemas");

    private static string GeneratedDirectory => Path.Combine(s_root, "avro", "PrimeBroker.Streams.Contracts", "Generated");

    [Fact]
    public void CheckedInGeneratedCodeMatchesTheAvscFiles()
    {
        IReadOnlyDictionary<string, string> expected = ContractGenerator.Generate(SchemaDirectory);
        Dictionary<string, string> actual = Directory.GetFiles(GeneratedDirectory, "*.cs")
            .ToDictionary(path => Path.GetFileName(path), path => File.ReadAllText(path).ReplaceLineEndings("\n"));

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach ((string file, string content) in expected)
        {
            Assert.True(
                content == actual[file],
                $"avro/PrimeBroker.Streams.Contracts/Generated/{file} differs from what avro/schemas generates; run scripts/generate-contracts.sh.");
        }
    }

    [Fact]
    public void HistoricalVersionsAreNotGenerated() =>
        Assert.DoesNotContain(
            ContractGenerator.CurrentSchemaFiles(SchemaDirectory),
            path => Path.GetFileName(path) == "TradeCreated.v1.avsc");

    [Fact]
    public void EveryAvscFileIsEmbeddedInTheContractsAssembly() =>
        Assert.Equal(
            Directory.GetFiles(SchemaDirectory, "*.avsc").Select(Path.GetFileName).Order(StringComparer.Ordinal),
            ContractSchemas.FileNames);

    [Fact]
    public void GeneratedTypesKeepTheAvroNamespace() =>
        Assert.Equal("PrimeBroker.Streams.Contracts.TradeCreated", TradeCreated._SCHEMA.Fullname);
}
