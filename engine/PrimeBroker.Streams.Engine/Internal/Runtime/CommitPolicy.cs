namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// When a stream thread commits: as soon as it has uncommitted work and its input is caught up (the last poll found no
/// more records), but not sooner than <see cref="MinMs"/> after the previous commit ended; and, while input keeps coming,
/// at the latest <see cref="MaxMs"/> after the previous commit started. Pure: the caller passes the clock (milliseconds of
/// a monotonic clock), so tests drive it with a fake one.
/// </summary>
/// <remarks>
/// At low load a record is committed one poll after it arrives (one commit's duration plus at most <see cref="MinMs"/>),
/// not up to a whole fixed interval later. At high load the input is never caught up, so commits come every
/// <see cref="MaxMs"/> and carry large batches, as with a fixed interval. In between, the next commit starts when the
/// previous one ended and the records that arrived meanwhile are processed: the batch grows with the load and the
/// commit's own cost; the gap after a commit is at least as long as that commit took, so commits never take more than
/// about half of the thread. With <see cref="MinMs"/> equal to <see cref="MaxMs"/> it is Kafka Streams' fixed interval.
/// </remarks>
internal sealed class CommitPolicy
{
    private long _lastStart;
    private long _lastEnd;

    /// <param name="min">Least time from the end of a commit to the start of the next.</param>
    /// <param name="max">Most time from the start of a commit to the start of the next while there is work.</param>
    /// <param name="now">The clock's reading at creation (counts as the last commit).</param>
    public CommitPolicy(TimeSpan min, TimeSpan max, long now)
    {
        if (min < TimeSpan.Zero || max < min)
        {
            throw new ArgumentException($"Need 0 <= min <= max (min {min}, max {max}).");
        }

        MinMs = (long)min.TotalMilliseconds;
        MaxMs = (long)max.TotalMilliseconds;
        _lastStart = now;
        _lastEnd = now;
    }

    /// <summary>Least milliseconds between the end of a commit and the start of the next.</summary>
    public long MinMs { get; }

    /// <summary>Most milliseconds between the starts of two commits while there is work.</summary>
    public long MaxMs { get; }

    /// <summary>Whether to commit now.</summary>
    /// <param name="now">The clock's reading.</param>
    /// <param name="hasWork">Some task has uncommitted input, output or store writes.</param>
    /// <param name="caughtUp">The last poll ended because no more records were ready (not because it hit its batch limit).</param>
    public bool ShouldCommit(long now, bool hasWork, bool caughtUp) =>
        hasWork && (now - _lastStart >= MaxMs || (caughtUp && now - _lastEnd >= Gap));

    /// <summary>How long the next poll may block waiting for records: until the commit that pending work would be due
    /// for, at most <paramref name="cap"/>.</summary>
    public TimeSpan PollTimeout(long now, bool hasWork, TimeSpan cap)
    {
        if (!hasWork)
        {
            return cap;
        }

        var untilDue = Math.Min(_lastStart + MaxMs, _lastEnd + Gap) - now;
        return TimeSpan.FromMilliseconds(Math.Clamp(untilDue, 0, (long)cap.TotalMilliseconds));
    }

    // The least gap after a commit: the minimum, or as long as the last commit took. Where commits are slow (many tasks
    // with work, a loaded machine) back-to-back commits would leave the thread little time to process; this keeps
    // commits to at most about half of it, and costs nothing at low load, where commits are short.
    private long Gap => Math.Max(MinMs, _lastEnd - _lastStart);

    /// <summary>A commit (attempt) ran from <paramref name="started"/> to <paramref name="ended"/>.</summary>
    public void Committed(long started, long ended)
    {
        _lastStart = started;
        _lastEnd = ended;
    }
}
