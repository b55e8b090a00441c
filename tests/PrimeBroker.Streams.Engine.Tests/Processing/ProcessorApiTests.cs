using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Processing;

/// <summary>Process / ProcessValues nodes, their stores and their context.</summary>
public sealed class ProcessorApiTests
{
    private static readonly Consumed<string, string> s_strings = Consumed<string, string>.With(Serdes.String, Serdes.String);

    public static TheoryData<StoreKind> Kinds => new() { StoreKind.InMemory, StoreKind.Persistent };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ProcessorStoreSupportsGetPutPutIfAbsentDeleteRangeAndAll(StoreKind kind)
    {
        using var driver = StoreCommandDriver(kind);
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        var output = driver.CreateOutputTopic("out", Serdes.String, Serdes.String);
        string Send(string key, string command)
        {
            input.PipeInput(key, command);
            return output.ReadValue();
        }

        Assert.Equal("<absent>", Send("b", "get"));
        Assert.Equal("ok", Send("b", "put:2"));
        Assert.Equal("ok", Send("a", "put:1"));
        Assert.Equal("ok", Send("c", "put:3"));
        Assert.Equal("2", Send("b", "get"));
        Assert.Equal("<absent>", Send("d", "putifabsent:4"));
        Assert.Equal("4", Send("d", "putifabsent:5"));
        Assert.Equal("a=1,b=2,c=3,d=4", Send("x", "all"));
        Assert.Equal("b=2,c=3", Send("x", "range:b:d"));
        Assert.Equal("2", Send("b", "delete"));
        Assert.Equal("<absent>", Send("b", "delete"));
        Assert.Equal("a=1,c=3,d=4", Send("x", "all"));

        var view = driver.GetKeyValueStore<string, string>("kv");
        Assert.Equal("1", view.Get("a"));
        Assert.Null(view.Get("b"));
        Assert.Equal([Kv("a", "1"), Kv("c", "3"), Kv("d", "4")], view.All());
        Assert.Equal([Kv("c", "3")], view.Range("c", "d"));
        Assert.Equal(3, view.ApproximateNumEntries);
    }

    [Fact]
    public void StoreReadsSeeUncommittedWritesAndSurviveCommit()
    {
        using var driver = StoreCommandDriver(StoreKind.Persistent, autoCommit: false);
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        input.PipeInput("a", "put:1");
        Assert.Equal("1", driver.GetKeyValueStore<string, string>("kv").Get("a"));

        driver.Commit();
        input.PipeInput("a", "delete");
        Assert.Null(driver.GetKeyValueStore<string, string>("kv").Get("a"));
        driver.Commit();
        Assert.Empty(driver.GetKeyValueStore<string, string>("kv").All());
    }

    [Fact]
    public void DriverStoreViewIsReadOnly()
    {
        using var driver = StoreCommandDriver(StoreKind.InMemory);
        var view = driver.GetKeyValueStore<string, string>("kv");

        // The type says it: no write methods to call (only the topology writes a store).
        Assert.IsNotAssignableFrom<IKeyValueStore<string, string>>(view);
        Assert.Throws<ArgumentException>(() => driver.GetKeyValueStore<string, string>("missing"));
        Assert.Throws<ArgumentException>(() => driver.GetKeyValueStore<string, long>("kv"));
    }

    [Fact]
    public void PutIfAbsentOnValueTypeStoreWritesWhenKeyIsAbsent()
    {
        var builder = new StreamsBuilder();
        builder.AddStateStore(Stores.InMemoryKeyValueStore("first-seen", Serdes.String, Serdes.Int64));
        builder.Stream("in", Consumed<string, long>.With(Serdes.String, Serdes.Int64))
            .ProcessValues(() => new PutIfAbsentProcessor(), ["first-seen"])
            .To("out");
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.Int64);

        input.PipeInput("k", 7);
        input.PipeInput("k", 9);

        Assert.Equal(7, driver.GetKeyValueStore<string, long>("first-seen").Get("k"));
    }

    [Fact]
    public void ProcessorForwardsToANamedChild()
    {
        var builder = new StreamsBuilder();
        var routed = builder.Stream("in", s_strings).Process(() => new RoutingProcessor(), []);
        routed.MapValues(v => "L:" + v, name: "left").To("out-left");
        routed.MapValues(v => "R:" + v, name: "right").To("out-right");
        using var driver = new TopologyTestDriver(builder.Build());
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        input.PipeInput("k", "lemon");
        input.PipeInput("k", "raspberry");
        input.PipeInput("k", "lime");

        Assert.Equal(["L:lemon", "L:lime"], driver.CreateOutputTopic("out-left", Serdes.String, Serdes.String).ReadRecordsToList().Select(r => r.Value));
        Assert.Equal(["R:raspberry"], driver.CreateOutputTopic("out-right", Serdes.String, Serdes.String).ReadRecordsToList().Select(r => r.Value));
    }

    [Fact]
    public void ForwardToUnknownChildFailsTheTask()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).Process(() => new RoutingProcessor(), []).To("out");
        using var driver = new TopologyTestDriver(builder.Build());

        var ex = Assert.Throws<TaskFailedException>(() => driver.CreateInputTopic("in", Serdes.String, Serdes.String).PipeInput("k", "lemon"));
        Assert.IsType<ArgumentException>(ex.InnerException);
    }

    [Fact]
    public void ProcessValuesKeepsTheKeyAndSeesContext()
    {
        var seen = new List<string>();
        var builder = new StreamsBuilder();
        builder.Stream("in", s_strings).ProcessValues(() => new ContextEcho(seen), [], name: "echo").To("out");
        using var driver = new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { ApplicationId = "echo-app" });

        driver.CreateInputTopic("in", Serdes.String, Serdes.String).PipeInput("k", "v", 5000);

        Assert.Equal(Kv("k", "v@in/0/0"), driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadKeyValue());
        Assert.Equal(["init echo-app 0_0", "process stream-time 5000"], seen);
    }

    [Fact]
    public void ProcessorNotConnectedToAStoreCannotGetIt()
    {
        var builder = new StreamsBuilder();
        builder.AddStateStore(Stores.InMemoryKeyValueStore("kv", Serdes.String, Serdes.String));
        builder.Stream("a", s_strings).Process(() => new StoreCommandProcessor("kv"), ["kv"]).To("out-a");
        builder.Stream("b", s_strings).Process(() => new StoreCommandProcessor("kv"), []).To("out-b");

        var ex = Assert.Throws<InvalidOperationException>(() => new TopologyTestDriver(builder.Build()));
        Assert.Contains("not connected to store 'kv'", ex.Message);
    }

    private static TopologyTestDriver StoreCommandDriver(StoreKind kind, bool autoCommit = true)
    {
        var builder = new StreamsBuilder();
        builder.AddStateStore(new KeyValueStoreBuilder<string, string>("kv", Serdes.String, Serdes.String, kind));
        builder.Stream("in", s_strings).Process(() => new StoreCommandProcessor("kv"), ["kv"]).To("out");
        return new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { AutoCommit = autoCommit });
    }

    private static KeyValuePair<TKey, TValue> Kv<TKey, TValue>(TKey key, TValue value) => new(key, value);

    private sealed class PutIfAbsentProcessor : IProcessor<string, long, string, long>
    {
        private IProcessorContext<string, long> _context = null!;
        private IKeyValueStore<string, long> _store = null!;

        public void Init(IProcessorContext<string, long> context)
        {
            _context = context;
            _store = context.GetStateStore<string, long>("first-seen");
        }

        public void Process(Record<string, long> record)
        {
            _store.PutIfAbsent(record.Key, record.Value);
            _context.Forward(record);
        }
    }

    private sealed class ContextEcho(List<string> seen) : IProcessor<string, string, string, string>
    {
        private IProcessorContext<string, string> _context = null!;

        public void Init(IProcessorContext<string, string> context)
        {
            _context = context;
            seen.Add($"init {context.ApplicationId} {context.TaskId}");
        }

        public void Process(Record<string, string> record)
        {
            seen.Add($"process stream-time {_context.CurrentStreamTimeMs}");
            var meta = _context.RecordMetadata!;
            _context.Forward(record.WithValue($"{record.Value}@{meta.Topic}/{meta.Partition}/{meta.Offset}"));
        }
    }
}
