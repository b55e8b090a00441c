using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>
/// Lets other processes create topics on the embedded cluster of a running <c>dev-cluster</c>: the mock brokers answer
/// no CreateTopics request, so a <c>run</c> instance could not create its changelog topics through the Admin API.
/// <c>POST /topics</c> with a JSON array of <see cref="TopicSpec"/> ensures them through the cluster's own provisioner
/// (200, or 409 with the reason when an existing topic has another partition count). Listens on 127.0.0.1 only.
/// </summary>
internal sealed class TopicProvisioningEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TopicProvisioningEndpoint(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    internal string Url { get; }

    internal static async Task<TopicProvisioningEndpoint> StartAsync(ITopicProvisioner provisioner, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/topics", async (TopicSpecDto[] specs, CancellationToken ct) =>
        {
            try
            {
                await provisioner.EnsureTopicsAsync(specs.Select(s => s.ToSpec()), ct);
                return Results.Ok();
            }
            catch (TopicMismatchException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
            }
        });
        await app.StartAsync(cancellationToken);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TopicProvisioningEndpoint(app, url);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

/// <summary>A topic spec on the wire.</summary>
internal sealed record TopicSpecDto(string Name, int Partitions, short ReplicationFactor, Dictionary<string, string>? Configs)
{
    internal TopicSpec ToSpec() => new(Name, Partitions, ReplicationFactor, Configs ?? new Dictionary<string, string>());

    internal static TopicSpecDto From(TopicSpec spec) => new(spec.Name, spec.Partitions, spec.ReplicationFactor, new Dictionary<string, string>(spec.Configs));
}

/// <summary>An <see cref="ITopicProvisioner"/> that asks a running <c>dev-cluster</c> to create topics
/// (<see cref="TopicProvisioningEndpoint"/>).</summary>
internal sealed class DevClusterTopicProvisioner(string url) : ITopicProvisioner
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task EnsureTopicsAsync(IEnumerable<TopicSpec> topics, CancellationToken cancellationToken = default)
    {
        using var response = await s_http.PostAsJsonAsync(new Uri(new Uri(url), "/topics"), topics.Select(TopicSpecDto.From).ToArray(), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"The dev cluster at {url} refused the topics ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
