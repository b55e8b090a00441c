using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Runtime;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Tests.Internal.Runtime;

/// <summary>
/// The stream thread's rebalance, restore, commit and fencing state machine, run on a real thread in lock-step over the
/// in-memory cluster (see <see cref="StreamThreadHarness"/>). Kafka Streams' counterparts: <c>StreamThreadTest</c> and
/// <c>TaskManagerTest</c>.
/// </summary>
public sealed class StreamThreadTests : IDisposable
{
    private readonly StreamThreadHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void AssignedTasksAreRestoredFromTheirChangelogBeforeTheyProcess()
    {
        var first = _harness.Join(0);
        first.RunUntilIdle();
        _harness.Produce(0, "a");
        _harness.Produce(0, "a");
        first.RunUntilIdle();
        _harness.CommitIntervalPasses();
        first.Step();
        Assert.Equal(2, _harness.CommittedCount(0, "a"));
        first.Dispose();

        _harness.Produce(0, "a");
        var restoredBefore = _harness.Metrics.RestoredTotal;
        var second = _harness.Join(0);

        // The assignment only queued the task: its partition is paused and nothing was processed.
        Assert.Empty(second.Thread.Tasks);
        Assert.Equal(TaskHealthState.Restoring, second.HealthOf(0).State);
        var processed = _harness.Processors.Processed;

        second.RunUntilIdle();
        Assert.True(_harness.Metrics.RestoredTotal > restoredBefore, "the new owner restored nothing");
        Assert.Equal(processed + 1, _harness.Processors.Processed);
        Assert.Equal(3, second.Count(0, "a")); // 2 restored + 1 processed after the restore
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStopCommitsAndLeavesTheGroupBeforeItClosesTheTasks(bool cooperative)
    {
        using var harness = new StreamThreadHarness(c => c with { CooperativeRebalancing = cooperative });
        var member = harness.Join(0, 1);
        member.RunUntilIdle();
        harness.Produce(0, "a");
        harness.Produce(1, "b");
        member.RunUntilIdle(); // processed, not yet committed
        Assert.Equal(0, harness.CommittedCount(0, "a"));
        int? closedWhenLeaving = null;
        var committedWhenLeaving = 0L;
        member.Consumer.Leaving = () =>
        {
            closedWhenLeaving = harness.Processors.Closed;
            committedWhenLeaving = harness.CommittedCount(0, "a") + harness.CommittedCount(1, "b");
        };

        member.Dispose();

        // The partitions move as soon as the member leaves; by then its work is committed, and closing its stores
        // (flush, checkpoints) comes after, so it does not hold back the move.
        Assert.True(member.Consumer.Closed, "the stopping thread did not close its consumer");
        Assert.Equal(2, committedWhenLeaving);
        Assert.Equal(0, closedWhenLeaving);
        Assert.Equal(2, harness.Processors.Closed); // both tasks closed cleanly after leaving
        Assert.Null(member.Fatal);
    }

    [Fact]
    public void OnAnEagerRevokeTasksCommitAndAreSuspendedThenResumedWithoutRestoreWhenTheyComeBackUnchanged()
    {
        var member = _harness.Join(0, 1);
        member.RunUntilIdle();
        _harness.Produce(0, "a");
        _harness.Produce(1, "b");
        member.RunUntilIdle();
        var task0 = member.Task(0);
        var task1 = member.Task(1);
        var commits = _harness.Metrics.CommitsTotal;

        member.Consumer.Rebalance(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        member.Step(); // the revoke
        Assert.Equal(commits + 1, _harness.Metrics.CommitsTotal);
        Assert.Equal(1, _harness.CommittedCount(0, "a"));
        Assert.Equal(1, _harness.CommittedCount(1, "b"));
        Assert.Empty(member.Thread.Tasks); // suspended, not running
        Assert.Equal(0, _harness.Processors.Closed); // and not closed

        var restored = _harness.Metrics.RestoredTotal;
        member.RunUntilIdle(); // the assignment, then one resume per round
        Assert.Same(task0, member.Task(0));
        Assert.Same(task1, member.Task(1));
        Assert.Equal(restored, _harness.Metrics.RestoredTotal);
        Assert.Equal(0, _harness.Processors.Closed);

        _harness.Produce(0, "a");
        member.RunUntilIdle();
        Assert.Equal(2, member.Count(0, "a"));
    }

    [Fact]
    public void WhenTheRevokeTimeCommitFailsTheRevokedTasksAreClosedNotSuspendedAndComeBackFromTheLog()
    {
        var member = _harness.Join(0);
        member.RunUntilIdle();
        _harness.Produce(0, "a");
        member.RunUntilIdle();
        var before = member.Task(0);

        _harness.Cluster.FailProduce = (topic, _) => topic == StreamThreadHarness.Changelog;
        member.Consumer.Rebalance(StreamThreadHarness.Input(0));
        member.Step(); // the revoke: its commit fails
        _harness.Cluster.FailProduce = null;
        Assert.Empty(member.Thread.Tasks);
        Assert.Equal(0, _harness.CommittedCount(0, "a"));

        var restored = _harness.Metrics.TaskRestoresTotal;
        member.RunUntilIdle();
        Assert.NotSame(before, member.Task(0)); // closed, not suspended: it comes back as a new task, restored from the log
        Assert.Equal(restored + 1, _harness.Metrics.TaskRestoresTotal);
        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(1, member.Count(0, "a"));
        Assert.Equal(1, _harness.CommittedCount(0, "a"));
    }

    [Fact]
    public void LosingTheAssignmentBetweenARevokeAndTheNextAssignmentClosesTheSuspendedTasksDirty()
    {
        var member = _harness.Join(0, 1);
        member.RunUntilIdle();
        _harness.Produce(0, "a");
        member.RunUntilIdle();
        var suspended = member.Task(0);
        member.Consumer.RevokeFromGroup();
        member.Step();
        Assert.Empty(member.Thread.Tasks);

        member.Consumer.Lose();
        member.Step();
        Assert.Equal(0, _harness.Processors.Closed); // dropped without running the processors' Close

        member.Consumer.AssignFromGroup(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        member.RunUntilIdle();
        Assert.NotSame(suspended, member.Task(0)); // not resumed: after a loss memory is not trusted
        Assert.Equal(1, member.Count(0, "a")); // restored from the revoke-time commit
    }

    [Fact]
    public void ASuspendedTaskWhoseChangelogMovedIsClosedAndRestoredWhenItComesBack()
    {
        var first = _harness.Join(0);
        first.RunUntilIdle();
        _harness.Produce(0, "a");
        first.RunUntilIdle();
        var suspended = first.Task(0);
        first.Consumer.RevokeFromGroup();
        first.Step();
        Assert.Empty(first.Thread.Tasks);
        Assert.Equal(1, _harness.CommittedCount(0, "a"));

        // Meanwhile another member owned the task for a generation and committed on top.
        var other = _harness.Join(0);
        other.RunUntilIdle();
        _harness.Produce(0, "a");
        _harness.Produce(0, "a");
        other.RunUntilIdle();
        other.Consumer.RevokeFromGroup();
        other.Step();
        Assert.Equal(3, _harness.CommittedCount(0, "a"));

        var restored = _harness.Metrics.RestoredTotal;
        first.Consumer.AssignFromGroup(StreamThreadHarness.Input(0));
        first.RunUntilIdle();
        var task = first.Task(0);
        Assert.NotSame(suspended, task);
        Assert.True(_harness.Metrics.RestoredTotal > restored, "the task was not restored");
        Assert.Equal(3, first.Count(0, "a"));
    }

    [Fact]
    public void ACooperativeRebalanceRevokesOnlyThePartitionsThatMoveAndLeavesKeptTasksRunning()
    {
        using var harness = new StreamThreadHarness(c => c with { CooperativeRebalancing = true });
        var member = harness.Join(0, 1);
        member.RunUntilIdle();
        harness.Produce(0, "a");
        harness.Produce(1, "b");
        member.RunUntilIdle();
        var kept = member.Task(0);
        var restored = harness.Metrics.RestoredTotal;

        member.Consumer.Rebalance(StreamThreadHarness.Input(0));
        member.Step(); // revoke of partition 1 only
        Assert.Same(kept, member.Task(0));
        Assert.DoesNotContain(member.Thread.Tasks, t => t.Id.Partition == 1);
        Assert.Equal(1, harness.Processors.Closed); // the moving task closed cleanly
        Assert.Equal(1, harness.CommittedCount(1, "b")); // after its commit
        member.RunUntilIdle();
        Assert.Same(kept, member.Task(0));

        harness.Produce(0, "a");
        harness.Produce(1, "b");
        member.Consumer.Rebalance(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        member.Step(); // incremental assignment of partition 1
        Assert.Same(kept, member.Task(0));
        member.RunUntilIdle();
        Assert.Same(kept, member.Task(0));
        Assert.Equal(2, member.Count(0, "a"));
        Assert.Equal(2, member.Count(1, "b")); // restored 1, then processed 1
        Assert.True(harness.Metrics.RestoredTotal > restored, "the returning task was not restored");
    }

    [Fact]
    public void LostPartitionsCloseTheirTasksDirtyWithoutCommitting()
    {
        var member = _harness.Join(0);
        member.RunUntilIdle();
        _harness.Produce(0, "a");
        _harness.Produce(0, "a");
        member.RunUntilIdle();
        Assert.Equal(2, member.Count(0, "a"));
        var commits = _harness.Metrics.CommitsTotal;

        member.Consumer.Lose();
        member.Step();
        Assert.Empty(member.Thread.Tasks);
        Assert.Equal(commits, _harness.Metrics.CommitsTotal);
        Assert.Equal(0, _harness.Processors.Closed); // dirty: the processors' Close did not run on uncommitted state
        Assert.Equal(0, _harness.CommittedCount(0, "a"));
        Assert.False(_harness.Cluster.GroupOffsets.ContainsKey(StreamThreadHarness.Input(0)));

        // Rejoined with the same partition: the uncommitted records are processed once more, from the log.
        member.Consumer.AssignFromGroup(StreamThreadHarness.Input(0));
        member.RunUntilIdle();
        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(2, member.Count(0, "a"));
        Assert.Equal(2, _harness.CommittedCount(0, "a"));
    }

    [Theory]
    [InlineData(ErrorCode.ProducerFenced)]
    [InlineData(ErrorCode.IllegalGeneration)]
    public void AFencedThreadDropsItsTasksDirtyAndRejoinsTheGroup(ErrorCode fencing)
    {
        var member = _harness.Join(0);
        member.RunUntilIdle();
        _harness.Produce(0, "a");
        member.RunUntilIdle();
        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(1, _harness.CommittedCount(0, "a"));
        _harness.Produce(0, "a");
        member.RunUntilIdle();
        var fenced = member.Task(0);
        Assert.Equal(2, fenced.GetStore<string, long>(StreamThreadHarness.StoreName).Get("a"));

        if (fencing == ErrorCode.ProducerFenced)
        {
            // A newer producer with this thread's transactional id (a zombie's successor) initialises.
            _harness.Cluster.InitProducer(member.TransactionalId);
        }
        else
        {
            // The group coordinator refuses the transaction's offsets: this member's generation is gone.
            _harness.Cluster.SendOffsetsErrors.Enqueue(fencing);
        }

        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Empty(member.Thread.Tasks);
        Assert.Equal(0, _harness.Processors.Closed); // closed dirty
        Assert.Equal(2, member.Consumer.Subscribes); // it rejoined the group
        Assert.Equal(1, _harness.Logs.Count("Fenced"));
        Assert.Equal(1, _harness.CommittedCount(0, "a"));

        member.RunUntilIdle(); // the rejoin's revoke and assignment, the restore, the replay
        Assert.NotSame(fenced, member.Task(0));
        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(2, member.Count(0, "a"));
        Assert.Equal(2, _harness.CommittedCount(0, "a"));
        Assert.Null(member.Fatal);
        Assert.Empty(member.Thread.FailedTasks);
        Assert.True(member.Thread.IsRunning);
    }

    [Fact]
    public void AThreadFencedAgainAndAgainWithoutACommitStopsWithTheReasonInsteadOfFencingBack()
    {
        var member = _harness.Join(0);
        member.RunUntilIdle();
        for (var fencing = 1; fencing <= TransactionRecovery.MaxFencedWithoutCommit; fencing++)
        {
            _harness.Produce(0, "a");
            member.RunUntilIdle();
            _harness.Cluster.InitProducer(member.TransactionalId); // another process with the same transactional id
            _harness.CommitIntervalPasses();
            if (fencing < TransactionRecovery.MaxFencedWithoutCommit)
            {
                member.Step();
                Assert.Null(member.Fatal);
                member.RunUntilIdle();
            }
            else
            {
                Assert.Throws<InvalidOperationException>(member.Step);
            }
        }

        var fatal = Assert.IsType<InvalidOperationException>(member.Fatal);
        Assert.Contains("another process uses its transactional id", fatal.Message, StringComparison.Ordinal);
        Assert.Equal(0, _harness.CommittedCount(0, "a"));
    }

    [Fact]
    public void AnAbortedCommitRollsTheTasksBackToTheirCommittedPositions()
    {
        var member = _harness.Join(0);
        member.RunUntilIdle();
        _harness.Produce(0, "a");
        member.RunUntilIdle();
        _harness.CommitIntervalPasses();
        member.Step();
        var task = member.Task(0);
        Assert.Equal(1, task.CommittedPosition(StreamThreadHarness.Input(0)));

        _harness.Produce(0, "a");
        _harness.Produce(0, "a");
        member.RunUntilIdle();
        Assert.Equal(3, member.Count(0, "a"));

        // The commit's changelog write fails; fetches are held so the rolled-back state can be looked at.
        _harness.Cluster.FailProduce = (topic, _) => topic == StreamThreadHarness.Changelog;
        member.Consumer.HoldRecords = true;
        var aborts = _harness.Metrics.AbortsTotal;
        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(aborts + 1, _harness.Metrics.AbortsTotal);
        Assert.Same(task, member.Task(0)); // rolled back in memory, not closed
        Assert.Equal(1, member.Count(0, "a"));
        Assert.Equal(1, task.NextOffsets[StreamThreadHarness.Input(0)]);
        Assert.Equal(1, member.Consumer.Position(StreamThreadHarness.Input(0)).Value);
        Assert.Equal(1, _harness.CommittedCount(0, "a"));

        _harness.Cluster.FailProduce = null;
        member.Consumer.HoldRecords = false;
        member.RunUntilIdle();
        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(3, member.Count(0, "a"));
        Assert.Equal(3, _harness.CommittedCount(0, "a"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ACommitWithAnUnknownOutcomeReplacesTheProducerAndRestoresTheTasksFromTheLog(bool brokerCommitted)
    {
        var member = _harness.Join(0);
        member.RunUntilIdle();
        _harness.Produce(0, "a");
        _harness.Produce(0, "a");
        member.RunUntilIdle();
        var before = member.Task(0);
        var epoch = _harness.Cluster.Epoch(member.TransactionalId);

        // EndTxn times out: the broker committed, or never saw the request. Memory cannot tell which.
        _harness.Cluster.CommitTimeouts.Enqueue(brokerCommitted);
        member.Consumer.HoldRecords = true;
        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(epoch + 1, _harness.Cluster.Epoch(member.TransactionalId)); // a new producer fenced the old one
        Assert.Equal(0, _harness.Processors.Closed); // the tasks were closed dirty
        member.RunUntilIdle();
        var after = member.Task(0);
        Assert.NotSame(before, after);
        Assert.Equal(brokerCommitted ? 2 : 0, member.Count(0, "a")); // what the log says was committed
        Assert.Equal(brokerCommitted ? 2 : 0, after.CommittedPosition(StreamThreadHarness.Input(0)));

        member.Consumer.HoldRecords = false;
        member.RunUntilIdle();
        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(2, member.Count(0, "a"));
        Assert.Equal(2, _harness.CommittedCount(0, "a"));
        Assert.Null(member.Fatal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AfterTheProcessWasFrozenTheNextCommitFirstAsksTheGroupWhetherTheThreadIsStillAMember(bool frozen)
    {
        var member = _harness.Join(0);
        member.RunUntilIdle();
        _harness.Produce(0, "a");
        member.RunUntilIdle();
        _harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(1, _harness.CommittedCount(0, "a"));
        _harness.Produce(0, "a");
        member.RunUntilIdle();

        // The coordinator removed this member meanwhile; only a membership check (a plain commit) can tell.
        member.Consumer.CommitErrors.Enqueue(ErrorCode.UnknownMemberId);
        // Frozen: the freeze detector's 100 ms ticks stopped for more than half the session timeout (45 s by default).
        _harness.Time.Advance(frozen ? TimeSpan.FromSeconds(23) : TimeSpan.FromSeconds(1));
        member.Step();
        if (frozen)
        {
            Assert.Empty(member.Consumer.CommitErrors); // it asked
            Assert.Empty(member.Thread.Tasks); // and, no longer a member, dropped its tasks without committing
            Assert.Equal(2, member.Consumer.Subscribes);
            Assert.Equal(1, _harness.CommittedCount(0, "a"));
        }
        else
        {
            Assert.Single(member.Consumer.CommitErrors); // no freeze, no question
            Assert.Equal(2, _harness.CommittedCount(0, "a"));
        }
    }

    [Fact]
    public void ATaskThatFailsToStartOnATransientErrorIsRetriedAfterABackoffThatDoublesAndThenReceivesRecords()
    {
        var attempts = 0;
        using var harness = new StreamThreadHarness(c => c with
        {
            TaskRetryBackoff = TimeSpan.FromSeconds(2),
            TaskStartFault = _ => ++attempts <= 2 ? new KafkaException(new Error(ErrorCode.Local_Transport, "scripted: connection lost during restore")) : null,
        });
        harness.Produce(0, "a");
        var member = harness.Join(0);
        member.RunUntilIdle();
        Assert.Equal(1, attempts);
        Assert.Equal(TaskHealthState.Retrying, member.HealthOf(0).State);
        Assert.Contains(StreamThreadHarness.Input(0), member.Consumer.Paused);

        // First backoff: 2 s.
        harness.Time.Advance(TimeSpan.FromMilliseconds(1999));
        member.Step();
        member.Step();
        Assert.Equal(1, attempts);
        Assert.Empty(member.Thread.Tasks);
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        member.Step();
        member.RunUntilIdle();
        Assert.Equal(2, attempts);
        var health = member.HealthOf(0);
        Assert.Equal(TaskHealthState.Retrying, health.State);
        Assert.StartsWith("attempt 2 failed, retry in 4.0 s", health.Detail, StringComparison.Ordinal);

        // Second backoff: doubled, 4 s.
        harness.Time.Advance(TimeSpan.FromMilliseconds(3999));
        member.Step();
        Assert.Equal(2, attempts);
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        member.Step();
        member.RunUntilIdle();
        Assert.Equal(3, attempts);
        Assert.Equal(TaskHealthState.Running, member.HealthOf(0).State);
        Assert.Equal(1, member.Count(0, "a"));
        Assert.Equal(2, harness.Logs.Count("TaskParked"));
        Assert.Empty(member.Thread.FailedTasks);
        Assert.Null(member.Fatal);
        Assert.True(member.Thread.IsRunning);
    }

    [Fact]
    public void APermanentStartFailureStaysFailedUntilARebalanceRecreatesTheTaskOnItsPausedPartition()
    {
        var attempts = 0;
        using var harness = new StreamThreadHarness(c => c with
        {
            TaskStartFault = id => id.Partition == 1 && ++attempts == 1 ? new InvalidOperationException("scripted: changelogs disagree") : null,
        });
        harness.Produce(1, "b");
        var member = harness.Join(0, 1);
        member.RunUntilIdle();
        Assert.Equal(TaskHealthState.Failed, member.HealthOf(1).State);
        Assert.Contains(new TaskId(0, 1), member.Thread.FailedTasks.Keys);
        Assert.Contains(StreamThreadHarness.Input(1), member.Consumer.Paused);
        harness.Time.Advance(TimeSpan.FromMinutes(2)); // never retried
        member.Step();
        Assert.Equal(1, attempts);
        Assert.Single(member.Thread.Tasks);

        // A rebalance revokes and gives back the partition (still paused in the consumer): the task is created again,
        // its partition resumed, and its record processed.
        member.Consumer.Rebalance(StreamThreadHarness.Input(0), StreamThreadHarness.Input(1));
        member.RunUntilIdle();
        Assert.Equal(2, attempts);
        Assert.Empty(member.Thread.FailedTasks);
        Assert.DoesNotContain(StreamThreadHarness.Input(1), member.Consumer.Paused);
        Assert.Equal(1, member.Count(1, "b"));
    }

    [Fact]
    public void TheStallWatchdogReportsATaskStalledAfterTheStallTimeoutAndRecoveredWhenItMovesAgain()
    {
        using var harness = new StreamThreadHarness(c => c with { StallTimeout = TimeSpan.FromSeconds(2) });
        var member = harness.Join(0);
        member.RunUntilIdle();
        member.Consumer.HoldRecords = true; // fetches stop answering while input waits
        harness.Produce(0, "a");
        using var watchdog = new WatchdogScope(harness, member);

        harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(TaskHealthState.Running, member.HealthOf(0).State);

        harness.Time.Advance(TimeSpan.FromMilliseconds(1900));
        member.Step();
        Assert.Equal(TaskHealthState.Running, member.HealthOf(0).State);
        Assert.Equal(0, harness.Logs.Count("TaskStalled"));

        harness.Time.Advance(TimeSpan.FromMilliseconds(200));
        member.Step();
        var health = member.HealthOf(0);
        Assert.Equal(TaskHealthState.Stalled, health.State);
        Assert.Equal(1, health.Lag);
        harness.Time.Advance(TimeSpan.FromMilliseconds(500)); // the watchdog's timer runs on the same clock
        Assert.Equal(1, harness.Logs.Count("TaskStalled"));

        member.Consumer.HoldRecords = false;
        member.RunUntilIdle();
        harness.CommitIntervalPasses();
        member.Step();
        Assert.Equal(TaskHealthState.Running, member.HealthOf(0).State);
        harness.Time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, harness.Logs.Count("TaskRecovered"));
        Assert.Equal(1, harness.Logs.Count("TaskStalled"));
    }

    /// <summary>A stall watchdog over one member, on the harness's clock.</summary>
    private sealed class WatchdogScope(StreamThreadHarness harness, StreamThreadHarness.Member member) : IDisposable
    {
        private readonly StallWatchdog _watchdog = new([member.Thread], harness.Config.StallTimeout, harness.Time,
            harness.Logs.CreateLogger("watchdog"));

        public void Dispose() => _watchdog.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
