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

        Assert.Equal(TimeSpan.FromSeconds(3), config.SessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), config.HeartbeatInterval);
        Assert.False(config.StaticMembership);
        Assert.True(config.CooperativeRebalancing);
        Assert.Equal(s_config.TransactionTimeout, config.TransactionTimeout);
        Assert.Equal(1, config.NumStandbyReplicas);
        config.Validate();
    }

    [Fact]
    public void ARealClusterGetsTheBrokersMinimumSessionTimeoutStaticMembershipAndATransactionTimeoutBelowIt()
    {
        var config = GroupDefaults.For(realCluster: true).ApplyTo(s_config, new StreamsOptions());

        Assert.Equal(TimeSpan.FromSeconds(6), config.SessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), config.HeartbeatInterval);
        Assert.True(config.StaticMembership);
        Assert.True(config.CooperativeRebalancing);
        Assert.True(config.TransactionTimeout < config.SessionTimeout);
        Assert.Equal(1, config.NumStandbyReplicas);
        config.Validate();
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
        };

        var config = GroupDefaults.For(realCluster: true).ApplyTo(s_config, options);

        Assert.Equal(TimeSpan.FromSeconds(20), config.SessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), config.HeartbeatInterval);
        Assert.False(config.StaticMembership);
        Assert.Equal(TimeSpan.FromSeconds(30), config.TransactionTimeout);
        Assert.False(config.CooperativeRebalancing);
        Assert.Equal(0, config.NumStandbyReplicas);
    }
}
