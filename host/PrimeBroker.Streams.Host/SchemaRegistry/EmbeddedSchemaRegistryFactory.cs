namespace PrimeBroker.Streams.Host.SchemaRegistry;

/// <summary>
/// Starts the in-process schema registry of <c>serdes/</c> for the <c>dev-cluster</c> command.
/// </summary>
/// <remarks>
/// The serdes' <c>EmbeddedSchemaRegistry</c> is being written on another branch and is not in this build yet, so this
/// factory returns null and <c>dev-cluster</c> prints <c>registry: not configured</c>. After the merge, replace the
/// marked line with the wrapper below (and delete this remark):
/// <code>
/// internal sealed class EmbeddedSchemaRegistryServer(EmbeddedSchemaRegistry registry) : ISchemaRegistryServer
/// {
///     public string Url => registry.Url;
///     public ValueTask DisposeAsync() => registry.DisposeAsync();
/// }
/// </code>
/// </remarks>
internal sealed class EmbeddedSchemaRegistryFactory : ISchemaRegistryServerFactory
{
    public Task<ISchemaRegistryServer?> StartAsync(CancellationToken cancellationToken)
    {
        // TODO(merge): start serdes' registry here instead of returning null:
        // return new EmbeddedSchemaRegistryServer(await PrimeBroker.Streams.Serdes.EmbeddedSchemaRegistry.StartAsync(ct: cancellationToken));
        return Task.FromResult<ISchemaRegistryServer?>(null);
    }
}
