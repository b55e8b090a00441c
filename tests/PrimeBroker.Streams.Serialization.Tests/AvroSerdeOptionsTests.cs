using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization.Embedded;

namespace PrimeBroker.Streams.Serialization.Tests;

public sealed class AvroSerdeOptionsTests
{
    [Fact]
    public void FromPropertiesReadsKnownKeys()
    {
        AvroSerdeOptions options = AvroSerdeOptions.FromProperties(new Dictionary<string, string>
        {
            [AvroSerdeOptions.AutoRegisterSchemasKey] = "false",
            [AvroSerdeOptions.NormalizeSchemasKey] = "true",
            [AvroSerdeOptions.InitialBufferBytesKey] = "256",
        });

        Assert.Equal(new AvroSerdeOptions { AutoRegisterSchemas = false, NormalizeSchemas = true, InitialBufferBytes = 256 }, options);
    }

    [Fact]
    public void FromPropertiesRejectsAnUnknownKey()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(
            () => AvroSerdeOptions.FromProperties(new Dictionary<string, string> { ["auto.register.schema"] = "true" }));
        Assert.Contains("auto.register.schema", e.Message);
    }

    [Fact]
    public void FromPropertiesRejectsAValueThatDoesNotParse() =>
        Assert.Throws<ArgumentException>(
            () => AvroSerdeOptions.FromProperties(new Dictionary<string, string> { [AvroSerdeOptions.NormalizeSchemasKey] = "yes" }));

    [Fact]
    public void BuildingASerdeWithANonPositiveBufferFailsFast()
    {
        using var client = new Confluent.SchemaRegistry.CachedSchemaRegistryClient(
            new Confluent.SchemaRegistry.SchemaRegistryConfig { Url = "http://127.0.0.1:1" });

        Assert.Throws<ArgumentOutOfRangeException>(
            () => AvroSerdes.For<TradeCreated>(client, new AvroSerdeOptions { InitialBufferBytes = 0 }));
    }

    [Fact]
    public async Task RegistryRefusesAPortOutOfRange() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => EmbeddedSchemaRegistry.StartAsync(new EmbeddedSchemaRegistryOptions { Port = 70000 }));
}
