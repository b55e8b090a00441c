using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Publishing;
using PrimeBroker.Streams.Brokerage;

namespace PrimeBroker.Streams.App.Tests.Publishing;

/// <summary>
/// Finding 6 in the host: every command that numbers trades (<c>run</c> for POST /trades, <c>generate</c> and <c>dlq</c>
/// in their own processes) gives its publisher the streams application's <c>sequences</c> changelog, so an account's
/// next number survives the trade topic's retention wherever the publisher runs.
/// </summary>
public sealed class PublisherSequenceSourceTests
{
    [Theory]
    [InlineData("run")]
    [InlineData("generate")]
    [InlineData("dlq")]
    public void ThePublisherReadsTheConfiguredApplicationsAppliedSequences(string command)
    {
        using var host = HostCommandLine.Build(
            [command, "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url", "http://127.0.0.1:1", "--application-id", "desk-7"],
            TextWriter.Null);

        var options = PublisherHostedService.Options(host.Services.GetRequiredService<ClusterConnection>().Clients,
            host.Services.GetRequiredService<IOptions<BrokerageOptions>>().Value,
            host.Services.GetRequiredService<IOptions<StreamsOptions>>().Value.ApplicationId);

        Assert.Equal("desk-7-sequences-changelog", options.AppliedSequencesTopic);
        Assert.NotNull(host.Services.GetRequiredService<PublisherHostedService>());
    }
}
