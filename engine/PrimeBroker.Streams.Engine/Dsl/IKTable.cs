namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>A changelog stream seen as a table: the latest value per key, held in a state store.</summary>
public interface IKTable<TKey, TValue>
{
    /// <summary>The store's name, for interactive queries.</summary>
    string QueryableStoreName { get; }

    /// <summary>Every update of the table as a record (key, new value).</summary>
    IKStream<TKey, TValue> ToStream(string? name = null);
}
