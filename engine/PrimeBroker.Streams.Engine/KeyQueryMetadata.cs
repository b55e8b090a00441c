namespace PrimeBroker.Streams.Engine;

/// <summary>Where a key of a store lives.</summary>
/// <param name="Partition">The partition (and so the task) that owns the key.</param>
/// <param name="IsLocal">Whether a task of this instance holds that partition now.</param>
/// <param name="ActiveHost">The owner's application server (host:port): this instance's own when local, else the one
/// whose latest announcement claims the partition; null when unknown (no application server configured, or the owner
/// has not announced yet).</param>
public sealed record KeyQueryMetadata(int Partition, bool IsLocal, string? ActiveHost);
