using PrimeBroker.Streams.Engine.Internal.Runtime;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>The stream thread's commit policy, driven by a fake clock (milliseconds).</summary>
public sealed class CommitPolicyTests
{
    private static CommitPolicy Policy(int minMs = 5, int maxMs = 100, long now = 0) =>
        new(TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs), now);

    [Fact]
    public void NothingToCommitNeverCommits()
    {
        var policy = Policy();

        Assert.False(policy.ShouldCommit(now: 10_000, hasWork: false, caughtUp: true));
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.PollTimeout(10_000, hasWork: false, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void CaughtUpInputCommitsOnceTheMinimumPassedSinceThePreviousCommitEnded()
    {
        var policy = Policy(minMs: 5);
        policy.Committed(started: 100, ended: 103);

        Assert.False(policy.ShouldCommit(now: 107, hasWork: true, caughtUp: true));
        Assert.True(policy.ShouldCommit(now: 108, hasWork: true, caughtUp: true));
    }

    [Fact]
    public void AfterASlowCommitTheGapIsAtLeastAsLongAsThatCommitTook()
    {
        var policy = Policy(minMs: 5, maxMs: 100);
        policy.Committed(started: 100, ended: 140);

        Assert.False(policy.ShouldCommit(now: 179, hasWork: true, caughtUp: true));
        Assert.True(policy.ShouldCommit(now: 180, hasWork: true, caughtUp: true));
        Assert.Equal(TimeSpan.FromMilliseconds(20), policy.PollTimeout(160, hasWork: true, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void InputThatKeepsComingCommitsAtTheMaximumIntervalFromThePreviousStart()
    {
        var policy = Policy(minMs: 5, maxMs: 100);
        policy.Committed(started: 100, ended: 112);

        Assert.False(policy.ShouldCommit(now: 199, hasWork: true, caughtUp: false));
        Assert.True(policy.ShouldCommit(now: 200, hasWork: true, caughtUp: false));
    }

    [Fact]
    public void MinimumEqualToMaximumIsAFixedInterval()
    {
        var policy = Policy(minMs: 100, maxMs: 100);
        policy.Committed(started: 0, ended: 10);

        Assert.False(policy.ShouldCommit(now: 60, hasWork: true, caughtUp: true));
        Assert.True(policy.ShouldCommit(now: 100, hasWork: true, caughtUp: true));
    }

    [Fact]
    public void PollWaitsNoLongerThanUntilPendingWorkIsDue()
    {
        var policy = Policy(minMs: 5, maxMs: 100);
        policy.Committed(started: 100, ended: 103);
        var cap = TimeSpan.FromMilliseconds(100);

        Assert.Equal(TimeSpan.FromMilliseconds(3), policy.PollTimeout(105, hasWork: true, cap));
        Assert.Equal(TimeSpan.Zero, policy.PollTimeout(150, hasWork: true, cap));
    }

    [Fact]
    public void MinimumAboveMaximumIsRefused() =>
        Assert.Throws<ArgumentException>(() => Policy(minMs: 200, maxMs: 100));
}
