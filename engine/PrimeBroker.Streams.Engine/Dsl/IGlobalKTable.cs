namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>A table fed by every partition of a topic on every instance; readable from any processor by store name.</summary>
/// <typeparam name="TKey">Type of the keys.</typeparam>
/// <typeparam name="TValue">Type of the values.</typeparam>
public interface IGlobalKTable<TKey, TValue>
{
    /// <summary>The store's name, as given to <see cref="StreamsBuilder.GlobalTable{TKey,TValue}"/>: processors read it
    /// with <see cref="Processing.IProcessorContext{TKeyOut,TValueOut}.GetStateStore{TKey,TValue}"/> (read-only), and
    /// interactive queries with <see cref="StreamsApplication.Store{TKey,TValue}"/>.</summary>
    string QueryableStoreName { get; }
}
