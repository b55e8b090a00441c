using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>An aborted transaction resets the whole task: stores, positions, and the processors themselves.</summary>
public sealed class RollbackTests
{
    [Fact]
    public void AnAbortReCreatesTheProcessorsAsACrashAndRestartWould()
    {
        // Processor fields are not state the engine can roll back: after an abort the task must behave exactly as after
        // a crash at the same point (new instances from the last commit), never carry the aborted attempt's fields.
        Assert.Equal(Run(d => d.SimulateCrash(CrashPoint.WhileProcessing)), Run(d => d.AbortTransaction()));
        Assert.Equal([1L, 2L, 1L, 2L], Run(d => d.AbortTransaction())); // before: [1, 2, 5, 6]
    }

    private static List<long> Run(Action<TopologyTestDriver> abort)
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String, Serdes.String))
            .Process(() => new FieldCounter(), [])
            .To("out", Produced.With(Serdes.String, Serdes.Int64));
        using var driver = new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { AutoCommit = false });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        input.PipeInput("k", "a");
        input.PipeInput("k", "b");
        driver.Commit();
        input.PipeInput("k", "c");
        input.PipeInput("k", "d");
        abort(driver); // c and d are processed again from the last commit
        driver.Commit();
        return driver.CreateOutputTopic("out", Serdes.String, Serdes.Int64).ReadRecordsToList().Select(r => r.Value).ToList();
    }

    [Fact]
    public void AnAbortReturnsStreamTimeToTheCommitSoPunctuatorsFireAgainForTheRedoneRecords()
    {
        var fired = new List<long>();
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String, Serdes.String)).Process(() => new StreamTimeProbe(fired), []);
        using var driver = new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { AutoCommit = false });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        input.PipeInput("k", "a", 1_000);
        driver.Commit();
        input.PipeInput("k", "b", 20_000);

        driver.AbortTransaction();

        // The punctuation at 20 s belonged to the aborted attempt; redoing record b reaches it again (before: [20000]).
        Assert.Equal([20_000L, 20_000L], fired);
    }

    private sealed class FieldCounter : IProcessor<string, string, string, long>
    {
        private IProcessorContext<string, long> _context = null!;
        private long _seen;

        public void Init(IProcessorContext<string, long> context) => _context = context;

        public void Process(Record<string, string> record) => _context.Forward(record.WithValue(++_seen));
    }

    private sealed class StreamTimeProbe(List<long> fired) : IProcessor<string, string, string, string>
    {
        public void Init(IProcessorContext<string, string> context) =>
            context.Schedule(TimeSpan.FromSeconds(10), PunctuationType.StreamTime, fired.Add);

        public void Process(Record<string, string> record)
        {
        }
    }
}
