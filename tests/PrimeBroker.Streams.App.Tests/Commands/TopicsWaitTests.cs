using Confluent.Kafka;
using PrimeBroker.Streams.App.Commands;

namespace PrimeBroker.Streams.App.Tests.Commands;

/// <summary><c>topics --verify --wait</c> (the init container's check): checks again until the catalog is complete or
/// the time is up, counts an unreachable cluster as not ready, and prints only the last report.</summary>
public sealed class TopicsWaitTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ItChecksAgainUntilTheCatalogIsCompleteAndPrintsOnlyTheLastReport()
    {
        var results = new Queue<Func<TextWriter, int>>([
            _ => throw new KafkaException(ErrorCode.Local_AllBrokersDown),
            w => { w.WriteLine("MISMATCH  trade-events missing"); return 1; },
            w => { w.WriteLine("ok        trade-events"); return 0; },
        ]);
        var output = new StringWriter();
        var waits = new List<string>();

        var bad = await TopicsCommand.CheckUntilCompleteAsync(w => Task.FromResult(results.Dequeue()(w)), output, TimeSpan.FromMinutes(5),
            TimeSpan.FromMilliseconds(1), waits.Add, TimeProvider.System, CancellationToken.None).WaitAsync(s_bound);

        Assert.Equal(0, bad);
        Assert.Empty(results);
        Assert.Equal("ok        trade-events" + Environment.NewLine, output.ToString());
        Assert.Equal(2, waits.Count);
        Assert.Contains("1 catalog topics missing", waits[1]);
    }

    [Fact]
    public async Task WithoutAWaitItChecksOnceAndReturnsWhatDiffers()
    {
        var checks = 0;
        var output = new StringWriter();

        var bad = await TopicsCommand.CheckUntilCompleteAsync(w => { checks++; w.WriteLine("MISMATCH  alerts missing"); return Task.FromResult(1); }, output,
            TimeSpan.Zero, TopicsCommand.WaitInterval, _ => { }, TimeProvider.System, CancellationToken.None).WaitAsync(s_bound);

        Assert.Equal(1, bad);
        Assert.Equal(1, checks);
        Assert.Contains("alerts missing", output.ToString());
    }

    [Fact]
    public async Task AnUnreachableClusterWithoutTimeLeftFailsWithItsError()
    {
        await Assert.ThrowsAsync<KafkaException>(() => TopicsCommand.CheckUntilCompleteAsync(
            _ => throw new KafkaException(ErrorCode.Local_AllBrokersDown), new StringWriter(), TimeSpan.Zero, TopicsCommand.WaitInterval, _ => { },
            TimeProvider.System, CancellationToken.None)).WaitAsync(s_bound);
    }
}
