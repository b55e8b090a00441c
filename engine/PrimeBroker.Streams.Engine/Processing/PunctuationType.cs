namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>What a punctuator runs on.</summary>
public enum PunctuationType
{
    /// <summary>Advanced by the highest record timestamp the task has seen; never moves without input.</summary>
    StreamTime,

    /// <summary>Advanced by the wall clock, checked between records and at least once per poll loop.</summary>
    WallClockTime,
}
