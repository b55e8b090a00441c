using PrimeBroker.Streams.Engine.Internal.Runtime;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// The loop's restore budget (<see cref="RestoreBudget"/>): a running task is polled again within one commit interval
/// of its last poll whatever the restores want, gets at least half of the interval while it has records, and restores
/// get the rest of the interval when the running tasks have nothing to do.
/// </summary>
public sealed class RestoreBudgetTests
{
    public static TheoryData<long> Intervals => new() { 1, 7, 10, 100, 1_000, 30_000 };

    [Theory]
    [MemberData(nameof(Intervals))]
    public void ARunningTaskIsPolledAgainWithinOneCommitIntervalOfItsLastPoll(long interval)
    {
        var minimum = Math.Max(1, interval / RestoreBudget.MinimumDivisor);
        foreach (var busy in new[] { false, true })
        {
            for (var since = 0L; since <= 2 * interval; since += Math.Max(1, interval / 50))
            {
                var budget = RestoreBudget.ForRound(interval, busy, since);
                Assert.True(budget >= 1, $"interval {interval}, busy {busy}, since {since}: budget {budget}");
                Assert.True(budget <= interval, $"interval {interval}, busy {busy}, since {since}: budget {budget} longer than the interval");
                if (since <= interval - minimum)
                {
                    // The time the round already spent since the poll plus the restores' share stays within the interval.
                    Assert.True(since + budget <= interval, $"interval {interval}, busy {busy}, since {since}: the task waits {since + budget} ms");
                }
                else
                {
                    Assert.Equal(minimum, budget);
                }
            }
        }
    }

    [Fact]
    public void BusyRunningTasksKeepHalfTheIntervalAndIdleOnesGiveRestoresTheRest()
    {
        Assert.Equal(50, RestoreBudget.ForRound(100, runningBusy: true, sincePollMs: 0));
        Assert.Equal(100, RestoreBudget.ForRound(100, runningBusy: false, sincePollMs: 0));
        Assert.Equal(70, RestoreBudget.ForRound(100, runningBusy: false, sincePollMs: 30));
        Assert.Equal(50, RestoreBudget.ForRound(100, runningBusy: true, sincePollMs: 30));
        Assert.Equal(20, RestoreBudget.ForRound(100, runningBusy: true, sincePollMs: 80));
        // A round whose interval is spent still reads once: restores always move.
        Assert.Equal(10, RestoreBudget.ForRound(100, runningBusy: true, sincePollMs: 95));
        Assert.Equal(10, RestoreBudget.ForRound(100, runningBusy: false, sincePollMs: 250));
    }

    [Fact]
    public void TheReadGetsWhatTheOffsetRequestsAndTheLastApplyLeave()
    {
        Assert.Equal(60, RestoreBudget.ForRead(100, budgetMs: 100, spentMs: 15, lastApplyMs: 25));
        Assert.Equal(100, RestoreBudget.ForRead(100, budgetMs: 100, spentMs: 0, lastApplyMs: -3));
        Assert.Equal(10, RestoreBudget.ForRead(100, budgetMs: 50, spentMs: 45, lastApplyMs: 30));
    }
}
