using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeBroker.Streams.Engine.Internal.Kafka;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>
/// The stream consumer's group settings per protocol. Under KIP-848 (<see cref="GroupProtocol.Consumer"/>) librdkafka
/// refuses a consumer that sets session timeout, heartbeat interval or assignment strategy (the cluster owns them), so
/// each case also builds the consumer: librdkafka checks the settings there, without a connection.
/// </summary>
public sealed class StreamConsumerConfigTests
{
    private static readonly StreamsConfig s_config = new()
    {
        ApplicationId = "app",
        BootstrapServers = "127.0.0.1:9",
        SessionTimeout = TimeSpan.FromSeconds(2),
        HeartbeatInterval = TimeSpan.FromMilliseconds(400),
    };

    [Theory]
    [InlineData(false, true, "range")]
    [InlineData(true, true, "cooperative-sticky")]
    [InlineData(true, false, "range")]
    public void TheClassicProtocolSendsTheEnginesTimeoutsAndPicksTheAssignorByTopology(bool cooperative, bool everyTaskReadsOneTopic, string strategy)
    {
        var config = s_config with { CooperativeRebalancing = cooperative };
        var rebalancing = GroupRebalancing.For(config, everyTaskReadsOneTopic);

        var consumer = Settings(config, rebalancing);

        Assert.Equal(strategy == "cooperative-sticky", rebalancing.Incremental);
        Assert.Equal(strategy, consumer["partition.assignment.strategy"]);
        Assert.Equal("2000", consumer["session.timeout.ms"]);
        Assert.Equal("400", consumer["heartbeat.interval.ms"]);
        Assert.False(consumer.ContainsKey("group.protocol"));
        Assert.False(consumer.ContainsKey("group.remote.assignor"));
        Build(config, rebalancing);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, "range")]
    public void KIP848LeavesTimeoutsAndStrategyToTheClusterAndAsksForRangeWhereTasksReadCoPartitionedTopics(bool everyTaskReadsOneTopic, string? assignor)
    {
        // CooperativeRebalancing is a classic-protocol setting: KIP-848 is incremental whatever it says.
        var config = s_config with { GroupProtocol = GroupProtocol.Consumer, CooperativeRebalancing = false, StaticMembership = true };
        var rebalancing = GroupRebalancing.For(config, everyTaskReadsOneTopic);

        var consumer = Settings(config, rebalancing, groupInstanceId: "app-p1-0");

        Assert.True(rebalancing.Incremental);
        Assert.Equal("consumer", consumer["group.protocol"]);
        Assert.Equal(assignor, consumer.GetValueOrDefault("group.remote.assignor"));
        Assert.False(consumer.ContainsKey("session.timeout.ms"));
        Assert.False(consumer.ContainsKey("heartbeat.interval.ms"));
        Assert.False(consumer.ContainsKey("partition.assignment.strategy"));
        // Static membership is part of KIP-848: librdkafka accepts group.instance.id with it.
        Assert.Equal("app-p1-0", consumer["group.instance.id"]);
        Build(config, rebalancing, groupInstanceId: "app-p1-0");
    }

    [Theory]
    [InlineData("session.timeout.ms")]
    [InlineData("heartbeat.interval.ms")]
    public void KIP848RefusesClientSettingsTheClusterOwns(string key)
    {
        var config = s_config with { GroupProtocol = GroupProtocol.Consumer, ClientConfig = new Dictionary<string, string> { [key] = "3000" } };

        var e = Assert.Throws<ArgumentException>(config.Validate);

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        (config with { GroupProtocol = GroupProtocol.Classic }).Validate();
    }

    [Theory]
    [InlineData("group.protocol")]
    [InlineData("group.remote.assignor")]
    public void TheProtocolAndAssignorAreTheEnginesToSet(string key)
    {
        var config = s_config with { ClientConfig = new Dictionary<string, string> { [key] = "consumer" } };

        var e = Assert.Throws<ArgumentException>(config.Validate);

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Settings(StreamsConfig config, GroupRebalancing rebalancing, string? groupInstanceId = null) =>
        new KafkaClients(config, NullLoggerFactory.Instance).StreamConsumerConfig("t", rebalancing, groupInstanceId)
            .ToDictionary(e => e.Key, e => e.Value);

    // librdkafka validates the settings when the client is created; nothing connects before a subscribe.
    private static void Build(StreamsConfig config, GroupRebalancing rebalancing, string? groupInstanceId = null)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new KafkaClients(config, NullLoggerFactory.Instance)
            .StreamConsumerConfig("t", rebalancing, groupInstanceId)).Build();
    }
}
