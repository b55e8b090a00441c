namespace PrimeBroker.Streams.App.Cluster;

/// <summary>A schema registry the host hands to clients: either one it started (embedded) or an external one.</summary>
/// <remarks>Disposing stops a registry the host started; an external registry is left alone.</remarks>
internal interface ISchemaRegistryServer : IAsyncDisposable
{
    /// <summary>Base URL for Confluent schema-registry clients, e.g. <c>http://127.0.0.1:8081</c>.</summary>
    string Url { get; }
}

/// <summary>Starts the embedded schema registry, if this build has one.</summary>
internal interface ISchemaRegistryServerFactory
{
    /// <summary>Starts a registry and returns it, or returns null when no embedded registry is available; the caller then
    /// reports the registry as not configured.</summary>
    Task<ISchemaRegistryServer?> StartAsync(CancellationToken cancellationToken);
}
