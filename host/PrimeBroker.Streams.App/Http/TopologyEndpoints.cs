using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PrimeBroker.Streams.App.Streams;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Http;

/// <summary><c>GET /topology</c>: the topology this instance runs (<see cref="TopologyView"/>) with the approximate size
/// of each store per task this instance holds now.</summary>
internal static class TopologyEndpoints
{
    internal static WebApplication MapTopologyApi(this WebApplication app)
    {
        app.MapGet("/topology", (StreamsApplication application) =>
                Results.Ok(TopologyView.From(application.Topology, application.Config.ApplicationId, application.Config.ApplicationServer,
                    application.LocalStoreSizes())))
            .WithName("GetTopology")
            .WithSummary("The topology's sub-topologies, processors, stores and topics, with this instance's store sizes per task.");
        return app;
    }
}
