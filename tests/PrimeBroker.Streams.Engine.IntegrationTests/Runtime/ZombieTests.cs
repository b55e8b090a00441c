using PrimeBroker.Streams.Engine.IntegrationTests.Support;
using Xunit.Abstractions;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>
/// The owner of two of the four tasks is frozen (SIGSTOP) past the session timeout while input flows; the other process
/// takes its partitions over; then the frozen one is resumed (SIGCONT) as a zombie that still believes it owns them.
/// It must notice (its partitions were lost, or the group or the producer fenced it) before it writes, and every count
/// must stay exact when a fresh instance restores everything from the changelogs.
/// </summary>
public sealed class ZombieTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AFrozenOwnerResumedAsAZombieIsFencedAndCountsStayExact()
    {
        await using var harness = new HandoverHarness(Environment.TickCount);
        await harness.StartAsync();
        for (var round = 0; round < 2; round++)
        {
            var (zombie, survivor) = round == 0 ? (harness.Processes["a"], harness.Processes["b"]) : (harness.Processes["b"], harness.Processes["a"]);
            var mark = harness.Produced + 300;
            await Eventually.True(() => harness.Produced >= mark || harness.ProducerFaulted, HandoverHarness.Wait, () => "producer stalled");
            zombie.Freeze();
            try
            {
                await harness.TakeoverAsync(survivor);
                mark = harness.Produced + 300;
                await Eventually.True(() => harness.Produced >= mark || harness.ProducerFaulted, HandoverHarness.Wait, () => "producer stalled");
            }
            finally
            {
                zombie.Thaw();
            }

            await Eventually.True(() => zombie.Warnings().Contains("lost [", StringComparison.Ordinal) || zombie.Warnings().Contains("fenced", StringComparison.Ordinal)
                                        || zombie.Warnings().Contains("membership", StringComparison.Ordinal),
                HandoverHarness.Wait, () => $"the resumed zombie {zombie.Name} never noticed that its partitions moved: {harness.Describe()}");
            await Eventually.True(() => zombie.Partitions.Count > 0 && survivor.Partitions.Count > 0 && zombie.Partitions.Count + survivor.Partitions.Count == 4
                                        && zombie.State == "Running" && survivor.State == "Running",
                HandoverHarness.Wait, () => $"the zombie {zombie.Name} did not rejoin and take partitions back: {harness.Describe()}");
            output.WriteLine($"round {round}: {zombie.Name} frozen past the {HandoverHarness.SessionTimeout.TotalMilliseconds} ms session timeout, " +
                             $"{survivor.Name} took over, {zombie.Name} resumed; its warnings:\n{zombie.Warnings()}");
        }

        await harness.VerifyAsync();
        output.WriteLine($"seed {harness.Seed}: 2 freezes, {harness.Scenario.ExpectedTotal} records over {harness.Scenario.Expected.Count} keys; every count exact");
    }
}
