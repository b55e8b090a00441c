using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Dsl;

public sealed class GlobalTableTests
{
    private static readonly Consumed<string, string> s_strings = Consumed<string, string>.With(Serdes.String, Serdes.String);

    [Fact]
    public void ProcessorOnAnotherStreamReadsTheGlobalTable()
    {
        using var driver = Driver(out var table);
        var rates = driver.CreateInputTopic("rates", Serdes.String, Serdes.String);
        var orders = driver.CreateInputTopic("orders", Serdes.String, Serdes.String);
        var output = driver.CreateOutputTopic("out", Serdes.String, Serdes.String);

        rates.PipeInput("EUR", "1.10");
        rates.PipeInput("GBP", "1.27");
        orders.PipeInput("o1", "EUR");
        rates.PipeInput("EUR", "1.11");
        orders.PipeInput("o2", "EUR");
        rates.PipeInput("GBP", null!);
        orders.PipeInput("o3", "GBP");

        Assert.Equal("rates-store", table.QueryableStoreName);
        Assert.Equal(["1.10", "1.11", "<none>"], output.ReadRecordsToList().Select(r => r.Value));
        Assert.Equal("1.11", driver.GetKeyValueStore<string, string>("rates-store").Get("EUR"));
    }

    [Fact]
    public void WritingToAGlobalStoreFromAProcessorThrows()
    {
        using var driver = Driver(out _);

        var ex = Assert.Throws<TaskFailedException>(() => driver.CreateInputTopic("orders", Serdes.String, Serdes.String).PipeInput("o1", "write:EUR"));
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Contains("read-only", ex.InnerException!.Message);
    }

    [Fact]
    public void ConnectingAGlobalStoreToAProcessorIsRejected()
    {
        var builder = new StreamsBuilder();
        builder.GlobalTable("rates", s_strings, "rates-store");
        builder.Stream("orders", s_strings).Process(() => new RateLookup(), ["rates-store"]).To("out");

        Assert.Throws<TopologyException>(() => builder.Build());
    }

    private static TopologyTestDriver Driver(out IGlobalKTable<string, string> table)
    {
        var builder = new StreamsBuilder();
        table = builder.GlobalTable("rates", s_strings, "rates-store", StoreKind.InMemory);
        builder.Stream("orders", s_strings).Process(() => new RateLookup(), []).To("out");
        return new TopologyTestDriver(builder.Build());
    }

    /// <summary>Looks the value (a currency) up in the global store; "write:X" tries to write it instead.</summary>
    private sealed class RateLookup : IProcessor<string, string, string, string>
    {
        private IProcessorContext<string, string> _context = null!;
        private IKeyValueStore<string, string> _rates = null!;

        public void Init(IProcessorContext<string, string> context)
        {
            _context = context;
            _rates = context.GetStateStore<string, string>("rates-store");
        }

        public void Process(Record<string, string> record)
        {
            if (record.Value.StartsWith("write:", StringComparison.Ordinal))
            {
                _rates.Put(record.Value[6..], "1");
            }

            _context.Forward(record.WithValue(_rates.Get(record.Value) ?? "<none>"));
        }
    }
}
