namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// Elapsed-time readings of the engine's one <see cref="TimeProvider"/> (<see cref="StreamsConfig.TimeProvider"/>), in
/// milliseconds as <see cref="Environment.TickCount64"/> gives them: monotonic, so intervals (commit, backoff, stall)
/// never jump with the wall clock, and simulated in tests, where a fake provider moves only when the test says so.
/// </summary>
internal static class MonotonicClock
{
    /// <summary>Milliseconds on the provider's monotonic timestamp; only differences between two readings mean anything.</summary>
    public static long TickMilliseconds(this TimeProvider time) => (long)(time.GetTimestamp() * (1000.0 / time.TimestampFrequency));

    /// <summary>Wall-clock time in Unix epoch milliseconds (punctuators, record timestamps).</summary>
    public static long UnixMilliseconds(this TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();
}
