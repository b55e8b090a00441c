namespace PrimeBroker.Streams.Engine.State;

/// <summary>
/// Where read-only store views come from: a running <see cref="StreamsApplication"/> (interactive queries over its
/// tasks' committed data) or the test driver (its tasks' stores as the processors see them). Queries written against
/// this interface run unchanged over both, so a domain's query code never names the test driver.
/// </summary>
public interface IQueryableStoreProvider
{
    /// <summary>A read-only view of store <paramref name="name"/>; what the view shows (committed data only, or also
    /// writes not yet committed) and from which threads it may be read is the provider's contract.</summary>
    /// <param name="name">A store of the topology, global stores included.</param>
    /// <typeparam name="TKey">The store's key type, as declared in its builder.</typeparam>
    /// <typeparam name="TValue">The store's value type, as declared in its builder.</typeparam>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentException">No store of that name, or it has other key or value types.</exception>
    IReadOnlyKeyValueStore<TKey, TValue> Store<TKey, TValue>(string name);
}
