using Confluent.SchemaRegistry;
using PrimeBroker.Streams.Serialization.Embedded;

namespace PrimeBroker.Streams.Serialization.Tests.Fixtures;

/// <summary>One embedded registry and a real <see cref="CachedSchemaRegistryClient"/> on it, shared by a test collection.
/// Tests keep apart by using their own topic or subject names.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private EmbeddedSchemaRegistry? _registry;
    private CachedSchemaRegistryClient? _client;

    public EmbeddedSchemaRegistry Registry => _registry ?? throw new InvalidOperationException("Not started.");

    public ISchemaRegistryClient Client => _client ?? throw new InvalidOperationException("Not started.");

    /// <summary>A fresh client with its own caches, for tests that must see the registry rather than a cache.</summary>
    public CachedSchemaRegistryClient NewClient() => new(new SchemaRegistryConfig { Url = Registry.Url });

    public async Task InitializeAsync()
    {
        _registry = await EmbeddedSchemaRegistry.StartAsync();
        _client = NewClient();
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
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "embedded schema registry";
}
