namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// How long a stream thread's loop round may spend on restores (the catch-up read and the task starts) before it polls
/// and commits its running tasks again. Pure: the caller passes the readings of its clock.
/// </summary>
/// <remarks>
/// <para>The rule (issue: restores must never block running tasks for more than one commit interval): counted from the
/// end of the last poll, a running task is polled again within one commit interval. When the running tasks had records
/// in the last poll or uncommitted work, restores get at most half the interval, so processing keeps at least the other
/// half; when they had nothing (or there are none), restores get the rest of the interval: the thread would otherwise
/// wait in the poll for records that are not there. Either way at most what the interval has left since the last poll
/// (a long commit leaves less), and at least a tenth of the interval, so a restore always moves.</para>
/// <para>Two things a budget cannot bound, both stated where they are spent: a catch-up read returns after the cluster's
/// first answer even when that comes later (a round that never waits for an answer can make no progress on a loaded
/// machine), and a task's restore proper reads its tail to the end (the catch-up keeps that tail short).</para>
/// </remarks>
internal static class RestoreBudget
{
    /// <summary>The least budget of a round, as a fraction of the commit interval: a round whose budget is spent by the
    /// time it starts still reads once, so restores always move.</summary>
    internal const int MinimumDivisor = 10;

    /// <summary>Milliseconds the restores of this round may take.</summary>
    /// <param name="commitIntervalMs">The thread's commit interval.</param>
    /// <param name="runningBusy">The last poll returned records for running tasks, or they have uncommitted work.</param>
    /// <param name="sincePollMs">Milliseconds since the last poll ended (commit, punctuation and the like since).</param>
    public static long ForRound(long commitIntervalMs, bool runningBusy, long sincePollMs)
    {
        var share = runningBusy ? commitIntervalMs / 2 : commitIntervalMs;
        var minimum = Math.Max(1, commitIntervalMs / MinimumDivisor);
        return Math.Max(minimum, Math.Min(share, commitIntervalMs - Math.Max(0, sincePollMs)));
    }

    /// <summary>The read's part of a round's budget: what is left of <paramref name="budgetMs"/> after
    /// <paramref name="spentMs"/> (offset requests) and the time the last round's apply took, at least the minimum.</summary>
    public static long ForRead(long commitIntervalMs, long budgetMs, long spentMs, long lastApplyMs) =>
        Math.Max(Math.Max(1, commitIntervalMs / MinimumDivisor), budgetMs - spentMs - Math.Max(0, lastApplyMs));
}
