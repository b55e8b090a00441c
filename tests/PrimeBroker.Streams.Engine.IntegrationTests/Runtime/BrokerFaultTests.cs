using Confluent.Kafka;
using PrimeBroker.Streams.Engine.IntegrationTests.Support;
using Xunit.Abstractions;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Runtime;

/// <summary>
/// Broker faults injected through the embedded cluster's fault API while input flows: a broker down for 10 s, partition
/// leaders moved, and produce, fetch and transaction request errors (one of them abortable, so a transaction is rolled
/// back and redone). The counts must still be exact. Runs in parallel with the rest of the suite: it once stalled
/// under load because librdkafka's SendOffsetsToTransaction ignored its timeout while the group coordinator was down
/// (confluentinc/librdkafka#5456); the engine now bounds every transaction call and replaces a stuck producer.
/// </summary>
public sealed class BrokerFaultTests(ITestOutputHelper output)
{
    private const short Produce = 0;
    private const short Fetch = 1;
    private const short AddPartitionsToTxn = 24;
    private const short EndTxn = 26;
    private const short TxnOffsetCommit = 28;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task CountsStayExactThroughBrokerOutageLeaderMovesAndRequestErrors()
    {
        await using var scenario = new CountScenario();
        var app = await scenario.StartAsync("a");
        await Eventually.True(() => app.State == StreamsState.Running, s_wait, () => scenario.Describe(app));

        var batch = 0;
        void Feed(int batches)
        {
            for (var i = 0; i < batches; i++, batch++)
            {
                scenario.Produce(100, keys: 30, offset: batch * 100);
            }
        }

        Feed(5);
        await Eventually.True(() => scenario.CountsMatch(app), s_wait, () => scenario.Describe(app));

        // 1. The leader of changelog partition 0 goes down for 10 s while input keeps arriving.
        var broker = Leader(scenario, scenario.ChangelogTopic, 0);
        scenario.Cluster.SetBrokerDown(broker);
        var feeding = Task.Run(() => Feed(5));
        await HoldFor(TimeSpan.FromSeconds(10));
        scenario.Cluster.SetBrokerUp(broker);
        await feeding;
        await Eventually.True(() => scenario.CountsMatch(app), s_wait, () => "after broker outage: " + scenario.Describe(app));

        // 2. Every partition of input, output and changelog changes leader.
        foreach (var topic in new[] { scenario.Input, scenario.Output, scenario.ChangelogTopic })
        {
            for (var p = 0; p < scenario.Partitions; p++)
            {
                scenario.Cluster.SetPartitionLeader(topic, p, Leader(scenario, topic, p) % 3 + 1);
            }
        }

        Feed(5);
        await Eventually.True(() => scenario.CountsMatch(app), s_wait, () => "after leader moves: " + scenario.Describe(app));

        // 3. Request errors: retriable ones on produce, fetch and the transaction calls, then an abortable one on the
        //    transactional offset commit, which forces an abort and a rollback of the open transaction.
        var abortsBefore = app.Metrics.AbortsTotal;
        scenario.Cluster.PushRequestErrors(Produce, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut);
        scenario.Cluster.PushRequestErrors(Fetch, ErrorCode.NotLeaderForPartition, ErrorCode.UnknownTopicOrPart);
        scenario.Cluster.PushRequestErrors(AddPartitionsToTxn, ErrorCode.ConcurrentTransactions);
        scenario.Cluster.PushRequestErrors(EndTxn, ErrorCode.NotCoordinatorForGroup);
        scenario.Cluster.PushRequestErrors(TxnOffsetCommit, ErrorCode.GroupLoadInProgress, ErrorCode.TopicAuthorizationFailed);
        Feed(5);
        await Eventually.True(() => scenario.CountsMatch(app) && app.Metrics.AbortsTotal > abortsBefore, s_wait,
            () => $"after request errors (aborts {app.Metrics.AbortsTotal - abortsBefore}): " + scenario.Describe(app));

        Feed(3);
        await Eventually.True(() => scenario.CountsMatch(app), s_wait, () => "at the end: " + scenario.Describe(app));
        Assert.Empty(app.Errors);
        output.WriteLine($"{scenario.ExpectedTotal} records, {app.Metrics.CommitsTotal} commits, {app.Metrics.AbortsTotal} aborts; every count exact");
    }

    private static int Leader(CountScenario scenario, string topic, int partition) =>
        ClusterProbe.Metadata(scenario.Cluster.BootstrapServers).Topics.Single(t => t.Topic == topic).Partitions.Single(p => p.PartitionId == partition).Leader;

    /// <summary>Keeps a fault in place for a given time: the duration is the fault, not a synchronisation.</summary>
    private static async Task HoldFor(TimeSpan duration)
    {
        using var timer = new PeriodicTimer(duration);
        await timer.WaitForNextTickAsync();
    }
}
