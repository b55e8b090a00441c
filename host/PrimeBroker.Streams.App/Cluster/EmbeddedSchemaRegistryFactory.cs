using PrimeBroker.Streams.Serialization.Embedded;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>Starts the in-process schema registry of <c>serdes/</c> for the <c>dev-cluster</c> command.</summary>
internal sealed class EmbeddedSchemaRegistryFactory : ISchemaRegistryServerFactory
{
    public async Task<ISchemaRegistryServer?> StartAsync(CancellationToken cancellationToken) =>
        new EmbeddedSchemaRegistryServer(await EmbeddedSchemaRegistry.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    private sealed class EmbeddedSchemaRegistryServer(EmbeddedSchemaRegistry registry) : ISchemaRegistryServer
    {
        public string Url => registry.Url;

        public ValueTask DisposeAsync() => registry.DisposeAsync();
    }
}
