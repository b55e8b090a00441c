namespace PrimeBroker.Streams.App.Cluster;

/// <summary>A registry the host did not start (<c>--schema-registry-url</c>): only its URL; disposing does nothing.</summary>
internal sealed record ExternalSchemaRegistry(string Url) : ISchemaRegistryServer
{
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
