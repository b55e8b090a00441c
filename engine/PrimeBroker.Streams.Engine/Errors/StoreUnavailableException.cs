namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>
/// An interactive query cannot be answered now: the instance is rebalancing or restoring, the task that held the data
/// closed or moved mid-read, or no instance has claimed the key's partition yet. The answer would be stale or empty, so
/// the query fails instead. Transient: retry after a short delay (an HTTP host maps it to 503 with a Retry-After
/// header), asking <see cref="StreamsApplication.QueryMetadataForKey{TKey}"/> again for the owner. The counterpart of
/// Kafka Streams' <c>InvalidStateStoreException</c>.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>Creates the exception for store <paramref name="storeName"/>, with why it is unavailable.</summary>
    public StoreUnavailableException(string storeName, string reason, Exception? inner = null)
        : base($"Store '{storeName}' is not available for queries now: {reason}. Retry shortly.", inner) => StoreName = storeName;

    /// <summary>The store that was queried.</summary>
    public string StoreName { get; }
}
