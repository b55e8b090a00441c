using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Tests.Fakes;

/// <summary>Counts records per key in store <c>countStore</c> and sums values in <c>sumStore</c>; forwards (key, count).
/// Two logged stores in one task: the first connected one is the task's primary. A value of 0 adds nothing and leaves
/// the sums store unwritten, and so does any value while <paramref name="sumsEnabled"/> says no: a commit of such
/// records writes the primary store only.</summary>
internal sealed class CountAndSumProcessor(string countStore, string sumStore, Func<bool>? sumsEnabled = null) : IProcessor<string, long, string, long>
{
    private IProcessorContext<string, long> _context = null!;
    private IKeyValueStore<string, long> _counts = null!;
    private IKeyValueStore<string, long> _sums = null!;

    public void Init(IProcessorContext<string, long> context)
    {
        _context = context;
        _counts = context.GetStateStore<string, long>(countStore);
        _sums = context.GetStateStore<string, long>(sumStore);
    }

    public void Process(Record<string, long> record)
    {
        var count = _counts.Get(record.Key) + 1;
        _counts.Put(record.Key, count);
        if (record.Value != 0 && (sumsEnabled?.Invoke() ?? true))
        {
            _sums.Put(record.Key, _sums.Get(record.Key) + record.Value);
        }

        _context.Forward(record.WithValue(count));
    }
}

/// <summary>Interprets each value as a store command on its key: <c>put:v</c>, <c>putifabsent:v</c>, <c>delete</c>,
/// <c>get</c>, <c>all</c>, <c>range:from:to</c>; forwards the result as text.</summary>
internal sealed class StoreCommandProcessor(string storeName) : IProcessor<string, string, string, string>
{
    private IProcessorContext<string, string> _context = null!;
    private IKeyValueStore<string, string> _store = null!;

    public void Init(IProcessorContext<string, string> context)
    {
        _context = context;
        _store = context.GetStateStore<string, string>(storeName);
    }

    public void Process(Record<string, string> record)
    {
        var parts = record.Value.Split(':');
        var result = parts[0] switch
        {
            "put" => Do(() => _store.Put(record.Key, parts[1]), "ok"),
            "putifabsent" => _store.PutIfAbsent(record.Key, parts[1]) ?? "<absent>",
            "delete" => _store.Delete(record.Key) ?? "<absent>",
            "get" => _store.Get(record.Key) ?? "<absent>",
            "all" => Join(_store.All()),
            "range" => Join(_store.Range(parts[1], parts[2])),
            _ => throw new InvalidOperationException($"unknown command '{parts[0]}'"),
        };
        _context.Forward(record.WithValue(result));
    }

    private static string Do(Action action, string result)
    {
        action();
        return result;
    }

    private static string Join(IEnumerable<KeyValuePair<string, string>> entries) => string.Join(",", entries.Select(e => $"{e.Key}={e.Value}"));
}

/// <summary>Forwards each record to the child named by the first character of its value ('l' → "left", else "right").</summary>
internal sealed class RoutingProcessor : IProcessor<string, string, string, string>
{
    private IProcessorContext<string, string> _context = null!;

    public void Init(IProcessorContext<string, string> context) => _context = context;

    public void Process(Record<string, string> record) => _context.Forward(record, record.Value.StartsWith('l') ? "left" : "right");
}
