using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Tests.Streams;

/// <summary>The group settings per cluster kind, and the <c>Streams:</c> keys that override them.</summary>
public sealed class GroupDefaultsTests
{
    private static readonly StreamsConfig s_config = new() { ApplicationId = "prime-broker", BootstrapServers = "b:9092" };

    [Fact]
    public void TheEmbeddedClusterGetsShortTimeoutsCooperativeRebalancingAndNoStaticMembership()
    {
        var config = GroupDefaults.For(realCluster: false).ApplyTo(s_config, new StreamsOptions());

        Assert.Equal(TimeSpan.FromSeconds(2), config.SessionTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(400), config.HeartbeatInterval);
        Assert.False(config.StaticMembership);
        Assert.True(config.CooperativeRebalancing);
        // KIP-848 on the mock: faster hand-overs, but its range assignor is not sticky (host/README.md).
        Assert.Equal(GroupProtocol.Classic, config.GroupProtocol);
        Assert.Equal(s_config.TransactionTimeout, config.TransactionTimeout);
        Assert.Equal(1, config.NumStandbyReplicas);
        config.Validate();
    }

    [Fact]
    public void ARealClusterGetsTheBrokersMinimumSessionTimeoutStaticMembershipAndATransactionTimeoutBelowIt()
    {
        var config = GroupDefaults.For(realCluster: true).ApplyTo(s_config, new StreamsOptions());

        Assert.Equal(TimeSpan.FromSeconds(6), config.SessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), config.HeartbeatInterval);
        Assert.True(config.StaticMembership);
        Assert.True(config.CooperativeRebalancing);
        // KIP-848 needs Apache Kafka 4.0 or later: chosen with Streams:GroupProtocol.
        Assert.Equal(GroupProtocol.Classic, config.GroupProtocol);
        Assert.True(config.TransactionTimeout < config.SessionTimeout);
        Assert.Equal(1, config.NumStandbyReplicas);
        config.Validate();
    }

    [Fact]
    public void OnTheEmbeddedClusterEverySurvivorHearsOfARebalanceTwiceWithinTheMocksJoinRound()
    {
        // librdkafka's mock holds a join round open for session.timeout - 1 s (the whole session timeout at 1 s or less,
        // when it also expires members still waiting in the round): a member that hears of the rebalance at its next
        // heartbeat must rejoin within that round, or the round ends without it and another one follows.
        var embedded = GroupDefaults.Embedded;
        var joinRound = embedded.SessionTimeout - TimeSpan.FromSeconds(1);

        Assert.True(embedded.SessionTimeout > TimeSpan.FromSeconds(1), $"session timeout {embedded.SessionTimeout}: the mock's join round would last all of it");
        Assert.True(embedded.HeartbeatInterval * 2 <= joinRound, $"heartbeat {embedded.HeartbeatInterval} against a join round of {joinRound}");
    }

    [Fact]
    public void ARealClusterKeepsBrokerLegalValues()
    {
        var real = GroupDefaults.RealCluster;

        // group.min.session.timeout.ms defaults to 6 s on Apache Kafka brokers; below it a JoinGroup is refused.
        Assert.True(real.SessionTimeout >= TimeSpan.FromSeconds(6));
        // Kafka's guidance: heartbeat.interval.ms no higher than a third of session.timeout.ms.
        Assert.True(real.HeartbeatInterval * 3 <= real.SessionTimeout);
        Assert.True(real.TransactionTimeout < real.SessionTimeout);
    }

    [Fact]
    public void EverySettingTheOperatorGivesWins()
    {
        var options = new StreamsOptions
        {
            SessionTimeout = TimeSpan.FromSeconds(20),
            HeartbeatInterval = TimeSpan.FromSeconds(5),
            StaticMembership = false,
            TransactionTimeout = TimeSpan.FromSeconds(30),
            CooperativeRebalancing = false,
            NumStandbyReplicas = 0,
            GroupProtocol = GroupProtocol.Consumer,
        };

        var config = GroupDefaults.For(realCluster: true).ApplyTo(s_config, options);

        Assert.Equal(TimeSpan.FromSeconds(20), config.SessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), config.HeartbeatInterval);
        Assert.False(config.StaticMembership);
        Assert.Equal(TimeSpan.FromSeconds(30), config.TransactionTimeout);
        Assert.False(config.CooperativeRebalancing);
        Assert.Equal(0, config.NumStandbyReplicas);
        Assert.Equal(GroupProtocol.Consumer, config.GroupProtocol);
    }
}
