using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Serialization.Embedded;

namespace PrimeBroker.Streams.Brokerage.Tests.Fixtures;

/// <summary>One embedded schema registry (loopback HTTP, in memory) and a real client on it, shared by every test of the
/// brokerage collection. Tests stay apart by building their own topology; subjects are shared and only grow.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private EmbeddedSchemaRegistry? _registry;
    private CachedSchemaRegistryClient? _client;

    public ISchemaRegistryClient Client => _client ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _registry = await EmbeddedSchemaRegistry.StartAsync();
        _client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _registry.Url });
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrokerageCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "brokerage (embedded schema registry)";
}
