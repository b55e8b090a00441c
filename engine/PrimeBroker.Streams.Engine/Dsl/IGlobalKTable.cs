namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>A table fed by every partition of a topic on every instance; readable from any processor by store name.</summary>
public interface IGlobalKTable<TKey, TValue>
{
    string QueryableStoreName { get; }
}
