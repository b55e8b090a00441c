namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>A changelog stream seen as a table: the latest value per key, held in a state store.</summary>
/// <typeparam name="TKey">Type of the keys.</typeparam>
/// <typeparam name="TValue">Type of the values.</typeparam>
public interface IKTable<TKey, TValue>
{
    /// <summary>The store's name, for interactive queries (<see cref="StreamsApplication.Store{TKey,TValue}"/>) and the
    /// test driver. A generated name unless <see cref="Materialized{TKey,TValue}.StoreName"/> was given.</summary>
    string QueryableStoreName { get; }

    /// <summary>Every update of the table as a record (key, new value).</summary>
    /// <param name="name">Node name, or null for a generated one.</param>
    /// <returns>A stream with the store's serdes, partitioned like the table (no repartitioning follows).</returns>
    /// <exception cref="TopologyException"><paramref name="name"/> is already used in the topology.</exception>
    IKStream<TKey, TValue> ToStream(string? name = null);
}
