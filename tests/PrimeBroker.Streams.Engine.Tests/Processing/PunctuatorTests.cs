using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Processing;

public sealed class PunctuatorTests
{
    private const long T0 = 1_800_000_000_000;

    [Fact]
    public void StreamTimePunctuatorFiresWhenRecordTimestampsCrossTheInterval()
    {
        var fired = new List<long>();
        using var driver = Driver(() => new Scheduling(TimeSpan.FromSeconds(10), PunctuationType.StreamTime, fired));
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        input.PipeInput("k", "v", T0); // first record: first punctuation
        input.PipeInput("k", "v", T0 + 5_000);
        input.PipeInput("k", "v", T0 + 9_999);
        input.PipeInput("k", "v", T0 + 10_000);
        input.PipeInput("k", "v", T0 + 3_000); // out of order: stream time does not go back
        input.PipeInput("k", "v", T0 + 35_000); // skips intervals: fires once

        Assert.Equal([T0, T0 + 10_000, T0 + 35_000], fired);
    }

    [Fact]
    public void StreamTimePunctuatorDoesNotFireOnWallClock()
    {
        var fired = new List<long>();
        using var driver = Driver(() => new Scheduling(TimeSpan.FromSeconds(1), PunctuationType.StreamTime, fired));

        driver.AdvanceWallClockTime(TimeSpan.FromHours(1));

        Assert.Empty(fired);
    }

    [Fact]
    public void WallClockPunctuatorFiresOnAdvanceWallClockTime()
    {
        var fired = new List<long>();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        using var driver = Driver(() => new Scheduling(TimeSpan.FromSeconds(30), PunctuationType.WallClockTime, fired));

        driver.AdvanceWallClockTime(TimeSpan.FromSeconds(29));
        Assert.Empty(fired);
        driver.AdvanceWallClockTime(TimeSpan.FromSeconds(1));
        driver.AdvanceWallClockTime(TimeSpan.FromSeconds(30));
        driver.CreateInputTopic("in", Serdes.String, Serdes.String).PipeInput("k", "v", T0);

        Assert.Equal([start + 30_000, start + 60_000], fired);
    }

    [Fact]
    public void CancelStopsThePunctuator()
    {
        var fired = new List<long>();
        using var driver = Driver(() => new Scheduling(TimeSpan.FromSeconds(1), PunctuationType.WallClockTime, fired, cancelAfter: 2));

        for (var i = 0; i < 5; i++)
        {
            driver.AdvanceWallClockTime(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(2, fired.Count);
    }

    [Fact]
    public void RecordsForwardedByAWallClockPunctuatorReachTheOutputTopic()
    {
        var fired = new List<long>();
        using var driver = Driver(() => new Scheduling(TimeSpan.FromSeconds(1), PunctuationType.WallClockTime, fired));

        driver.AdvanceWallClockTime(TimeSpan.FromSeconds(1));

        var record = driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadRecord();
        Assert.Equal("tick", record.Key);
        Assert.Equal(fired.Single().ToString(System.Globalization.CultureInfo.InvariantCulture), record.Value);
    }

    private static TopologyTestDriver Driver(Func<IProcessor<string, string, string, string>> processor)
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed<string, string>.With(Serdes.String, Serdes.String)).Process(processor, []).To("out");
        return new TopologyTestDriver(builder.Build());
    }

    /// <summary>Schedules one punctuator in Init; each punctuation records its time and forwards ("tick", time).</summary>
    private sealed class Scheduling(TimeSpan interval, PunctuationType type, List<long> fired, int cancelAfter = int.MaxValue)
        : IProcessor<string, string, string, string>
    {
        private ICancellable? _schedule;

        public void Init(IProcessorContext<string, string> context) =>
            _schedule = context.Schedule(interval, type, time =>
            {
                fired.Add(time);
                context.Forward(new Record<string, string>("tick", time.ToString(System.Globalization.CultureInfo.InvariantCulture), time));
                if (fired.Count >= cancelAfter)
                {
                    _schedule!.Cancel();
                }
            });

        public void Process(Record<string, string> record)
        {
        }
    }
}
