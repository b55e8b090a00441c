using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

internal sealed class ProcessorContextImpl<TKeyOut, TValueOut> : IProcessorContext<TKeyOut, TValueOut>
{
    private readonly StreamTask _task;
    private readonly RuntimeNode _node;
    private readonly IReadOnlyList<string> _storeNames;

    public ProcessorContextImpl(StreamTask task, RuntimeNode node, IReadOnlyList<string> storeNames)
    {
        _task = task;
        _node = node;
        _storeNames = storeNames;
    }

    public string ApplicationId => _task.ApplicationId;

    public TaskId TaskId => _task.Id;

    public RecordMetadata? RecordMetadata => _task.CurrentRecord;

    public long CurrentStreamTimeMs => _task.StreamTime;

    public long CurrentSystemTimeMs => _task.WallClockMs;

    public void Forward(Record<TKeyOut, TValueOut> record, string? childName = null)
    {
        var found = false;
        foreach (var child in _node.Children)
        {
            if (childName is null || child.Name == childName)
            {
                ((RuntimeNode<TKeyOut, TValueOut>)child).Process(record);
                found = true;
            }
        }

        if (childName is not null && !found)
        {
            throw new ArgumentException($"Processor '{_node.Name}' has no child named '{childName}'.", nameof(childName));
        }
    }

    public IKeyValueStore<TKey, TValue> GetStateStore<TKey, TValue>(string name)
    {
        if (!_storeNames.Contains(name) && !_task.IsGlobalStore(name))
        {
            throw new InvalidOperationException($"Processor '{_node.Name}' is not connected to store '{name}'; name it in Process(..., storeNames).");
        }

        return _task.GetStore<TKey, TValue>(name);
    }

    public ICancellable Schedule(TimeSpan interval, PunctuationType type, Action<long> punctuator) =>
        _task.Schedule(interval, type, punctuator);
}
