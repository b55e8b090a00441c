using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>Base for the DSL's stateless operators: keeps the context and forwards.</summary>
internal abstract class Operator<TKeyIn, TValueIn, TKeyOut, TValueOut> : IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>
{
    protected IProcessorContext<TKeyOut, TValueOut> Context { get; private set; } = null!;

    public virtual void Init(IProcessorContext<TKeyOut, TValueOut> context) => Context = context;

    public abstract void Process(Record<TKeyIn, TValueIn> record);
}

internal sealed class FilterOperator<TKey, TValue>(Func<TKey, TValue, bool> predicate, bool negate) : Operator<TKey, TValue, TKey, TValue>
{
    public override void Process(Record<TKey, TValue> record)
    {
        if (predicate(record.Key, record.Value) != negate)
        {
            Context.Forward(record);
        }
    }
}

internal sealed class MapValuesOperator<TKey, TValue, TValueOut>(Func<TKey, TValue, TValueOut> mapper) : Operator<TKey, TValue, TKey, TValueOut>
{
    public override void Process(Record<TKey, TValue> record) => Context.Forward(record.WithValue(mapper(record.Key, record.Value)));
}

internal sealed class FlatMapValuesOperator<TKey, TValue, TValueOut>(Func<TKey, TValue, IEnumerable<TValueOut>> mapper) : Operator<TKey, TValue, TKey, TValueOut>
{
    public override void Process(Record<TKey, TValue> record)
    {
        foreach (var value in mapper(record.Key, record.Value))
        {
            Context.Forward(record.WithValue(value));
        }
    }
}

internal sealed class MapOperator<TKey, TValue, TKeyOut, TValueOut>(Func<TKey, TValue, KeyValuePair<TKeyOut, TValueOut>> mapper) : Operator<TKey, TValue, TKeyOut, TValueOut>
{
    public override void Process(Record<TKey, TValue> record)
    {
        var (key, value) = mapper(record.Key, record.Value);
        Context.Forward(new Record<TKeyOut, TValueOut>(key, value, record.Timestamp, record.Headers));
    }
}

internal sealed class PeekOperator<TKey, TValue>(Action<TKey, TValue> action) : Operator<TKey, TValue, TKey, TValue>
{
    public override void Process(Record<TKey, TValue> record)
    {
        action(record.Key, record.Value);
        Context.Forward(record);
    }
}

/// <summary>Forwards each record unchanged. It gives a node of its own to each branch of a split (the branch operator
/// forwards to it by name) and to a table's <c>ToStream</c>, which keeps the table's store name visible.</summary>
internal sealed class PassThroughOperator<TKey, TValue> : Operator<TKey, TValue, TKey, TValue>
{
    public override void Process(Record<TKey, TValue> record) => Context.Forward(record);
}

/// <summary>Sends each record to the child of the first matching predicate, else to the default child if any.</summary>
internal sealed class BranchOperator<TKey, TValue>(IReadOnlyList<(Func<TKey, TValue, bool> Predicate, string Child)> branches, string? defaultChild)
    : Operator<TKey, TValue, TKey, TValue>
{
    public override void Process(Record<TKey, TValue> record)
    {
        foreach (var (predicate, child) in branches)
        {
            if (predicate(record.Key, record.Value))
            {
                Context.Forward(record, child);
                return;
            }
        }

        if (defaultChild is not null)
        {
            Context.Forward(record, defaultChild);
        }
    }
}

/// <summary>Folds each record into the aggregate stored under its key and forwards the new aggregate.</summary>
internal sealed class AggregateOperator<TKey, TValue, TAggregate>(string storeName, Func<TAggregate> initializer, Func<TKey, TValue, TAggregate, TAggregate> aggregator)
    : Operator<TKey, TValue, TKey, TAggregate>
{
    private IKeyValueStore<TKey, TAggregate> _store = null!;

    public override void Init(IProcessorContext<TKey, TAggregate> context)
    {
        base.Init(context);
        _store = context.GetStateStore<TKey, TAggregate>(storeName);
    }

    public override void Process(Record<TKey, TValue> record)
    {
        if (record.Key is null || record.Value is null)
        {
            return; // Kafka Streams semantics: null keys and values do not aggregate.
        }

        var next = aggregator(record.Key, record.Value, _store.TryGet(record.Key, out var current) ? current! : initializer());
        _store.Put(record.Key, next);
        Context.Forward(record.WithValue(next));
    }
}

/// <summary>Combines each record's value with the value stored under its key (the first value of a key is stored as
/// is) and forwards the result; records with a null key or value are dropped.</summary>
internal sealed class ReduceOperator<TKey, TValue>(string storeName, Func<TValue, TValue, TValue> reducer) : Operator<TKey, TValue, TKey, TValue>
{
    private IKeyValueStore<TKey, TValue> _store = null!;

    public override void Init(IProcessorContext<TKey, TValue> context)
    {
        base.Init(context);
        _store = context.GetStateStore<TKey, TValue>(storeName);
    }

    public override void Process(Record<TKey, TValue> record)
    {
        if (record.Key is null || record.Value is null)
        {
            return;
        }

        var next = _store.TryGet(record.Key, out var current) ? reducer(current!, record.Value) : record.Value;
        _store.Put(record.Key, next);
        Context.Forward(record.WithValue(next));
    }
}
