namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>What a punctuator runs on.</summary>
/// <remarks>A punctuator that fell behind by several intervals runs once, not once per missed interval.</remarks>
public enum PunctuationType
{
    /// <summary>Advanced by the highest record timestamp the task has seen; checked after each record, so it never
    /// moves without input.</summary>
    StreamTime,

    /// <summary>Advanced by the wall clock, checked once per poll loop (after at most
    /// <see cref="StreamsConfig.MaxRecordsPerPoll"/> records); the test driver moves it with
    /// <c>TopologyTestDriver.AdvanceWallClockTime</c>.</summary>
    WallClockTime,
}
