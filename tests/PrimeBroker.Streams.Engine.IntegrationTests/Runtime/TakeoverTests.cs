using PrimeBroker.Streams.Engine.IntegrationTests.Support;
using Xunit.Abstractions;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>
/// Takeover on the embedded cluster: when the owner of two of the four tasks is stopped (SIGKILL, or SIGTERM for a
/// graceful stop), the surviving process commits every one of the moved tasks within the harness's bounded wait, and
/// every count stays exact. Each cycle's takeover time (stop to the survivor's first commit of a moved task, and to the
/// commit that completes all of them) is written to the test output as a measurement (run with
/// <c>--logger "console;verbosity=detailed"</c>); it is never asserted, since speed belongs in the benchmarks. Cycles:
/// <c>PBS_TAKEOVER_CYCLES</c> (default 3); <c>PBS_COOPERATIVE=1</c> runs the children with
/// <see cref="StreamsConfig.CooperativeRebalancing"/>, <c>PBS_GROUP_PROTOCOL=consumer</c> with KIP-848 (whose session
/// timeout is the embedded cluster's, 2 s by default, like the harness's classic one).
/// </summary>
public sealed class TakeoverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheSurvivorCommitsEveryMovedTaskAndCountsStayExact(bool kill)
    {
        var cycles = int.Parse(Environment.GetEnvironmentVariable("PBS_TAKEOVER_CYCLES") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
        var cooperative = Environment.GetEnvironmentVariable("PBS_COOPERATIVE") == "1";
        var protocol = string.Equals(Environment.GetEnvironmentVariable("PBS_GROUP_PROTOCOL"), "consumer", StringComparison.OrdinalIgnoreCase)
            ? "KIP-848" : cooperative ? "cooperative-sticky" : "range";
        await using var harness = new HandoverHarness(Environment.TickCount, new Dictionary<string, string>
        {
            ["PBS_REPORT_COMMITS"] = "1",
            ["PBS_COOPERATIVE"] = cooperative ? "1" : "0",
        });
        await harness.StartAsync();
        var first = new List<long>();
        var all = new List<long>();
        var keptGaps = new List<long>();
        var joinKeptGaps = new List<long>();
        var joins = new List<long>();
        for (var cycle = 0; cycle < cycles; cycle++)
        {
            var victim = harness.Processes[cycle % 2 == 0 ? "a" : "b"];
            var survivor = harness.Processes.Values.Single(p => p != victim);
            var moved = victim.Tasks.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
            var kept = survivor.Tasks.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
            Assert.NotEmpty(moved);
            var stoppedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (kill)
            {
                victim.Kill();
            }
            else
            {
                await victim.StopGracefullyAsync(HandoverHarness.Wait);
            }

            // The assertion: every moved task is committed by its new owner (bounded wait), not a time.
            await Eventually.True(() => moved.All(t => survivor.FirstCommitOf([t], stoppedAt) is not null), HandoverHarness.Wait,
                () => $"no commit of [{string.Join(",", moved)}] by {survivor.Name} since the stop: {harness.Describe()}");
            first.Add(survivor.FirstCommitOf(moved, stoppedAt)!.Value - stoppedAt);
            var allMovedAt = moved.Max(t => survivor.FirstCommitOf([t], stoppedAt)!.Value);
            all.Add(allMovedAt - stoppedAt);
            keptGaps.Add(survivor.LongestCommitGap(kept, stoppedAt, allMovedAt));
            var restartAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await harness.RestartAsync(victim.Name, survivor);
            // The survivor's tasks that stay with it while the restarted process takes its share back.
            var handedBack = harness.Processes[victim.Name].Tasks.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
            await Eventually.True(() => handedBack.All(t => harness.Processes[victim.Name].FirstCommitOf([t], restartAt) is not null), HandoverHarness.Wait,
                () => $"no commit of [{string.Join(",", handedBack)}] by the restarted {victim.Name}: {harness.Describe()}");
            var joinedAt = handedBack.Max(t => harness.Processes[victim.Name].FirstCommitOf([t], restartAt)!.Value);
            joins.Add(joinedAt - restartAt);
            joinKeptGaps.Add(survivor.LongestCommitGap(survivor.Tasks.Split(',', StringSplitOptions.RemoveEmptyEntries), restartAt, joinedAt));
        }

        await harness.VerifyAsync();
        output.WriteLine($"{(kill ? "SIGKILL" : "graceful stop")} -> first commit of a moved task by the new owner, session timeout " +
                         $"{HandoverHarness.SessionTimeout.TotalMilliseconds} ms, {protocol}, commit interval 50 ms, 2 of 4 tasks moved, {cycles} cycles (seed {harness.Seed}): " +
                         $"first [{string.Join(", ", first)}] ms, all moved tasks [{string.Join(", ", all)}] ms; longest commit gap of the survivor's own tasks " +
                         $"meanwhile [{string.Join(", ", keptGaps)}] ms; restart -> the restarted process committed all its tasks [{string.Join(", ", joins)}] ms, " +
                         $"longest commit gap of the tasks the survivor kept meanwhile [{string.Join(", ", joinKeptGaps)}] ms; every count exact");
    }
}
