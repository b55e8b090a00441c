namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>Where a source starts when it has no position, and what happens when its position fell off the log.</summary>
public enum OffsetResetPolicy
{
    /// <summary>Start at the log start when there is no position; an out-of-range position stops the task with an error.
    /// The default: a prime broker must never skip input silently.</summary>
    EarliestThenFail,

    /// <summary>Start at (or reset to) the log start, also when a stored position is out of range.</summary>
    Earliest,

    /// <summary>Start at (or reset to) the log end, also when a stored position is out of range.</summary>
    Latest,
}
