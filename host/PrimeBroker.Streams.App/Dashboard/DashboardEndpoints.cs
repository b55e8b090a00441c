using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PrimeBroker.Streams.App.Http;

namespace PrimeBroker.Streams.App.Dashboard;

/// <summary>
/// The live dashboard: <c>GET /</c> the page, <c>GET /dashboard/{file}</c> its script and stylesheet, and
/// <c>GET /api/dashboard/state?minutes=N</c> this instance's figures and history (<see cref="DashboardState"/>), and
/// <c>GET /api/dashboard/cluster?minutes=N</c>, which the page polls once a second: every instance's state merged
/// (<see cref="ClusterDashboardState"/>).
/// </summary>
/// <remarks>
/// The page's files are embedded in the assembly (from <c>wwwroot/</c>), so the dashboard works from any working
/// directory and in a single-file publish, with no static-files middleware. The page also calls the API's
/// <c>GET /positions/{accountId}</c> for its lookup box.
/// </remarks>
internal static class DashboardEndpoints
{
    internal const int DefaultWindowMinutes = 5;
    internal const int MaxWindowMinutes = 60;

    /// <summary>Maps the dashboard's endpoints. The state comes from an <see cref="IDashboardSource"/> registered in DI,
    /// or else from a <see cref="LiveDashboardSource"/> built from the running application's services on first use.</summary>
    internal static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        var files = DashboardFiles.Load();
        endpoints.MapGet("/", () => files.Serve("index.html"))
            .ExcludeFromDescription();
        endpoints.MapGet("/dashboard/{file}", (string file) => files.Serve(file))
            .ExcludeFromDescription();

        // Resolved once: the source keeps no per-request state, and the live one holds the app's singletons.
        IDashboardSource? source = null;
        IDashboardSource Source(HttpContext context) => source ??= context.RequestServices.GetService<IDashboardSource>()
            ?? ActivatorUtilities.CreateInstance<LiveDashboardSource>(context.RequestServices);

        endpoints.MapGet("/api/dashboard/state", (HttpContext context, int? minutes) =>
            {
                var window = minutes ?? DefaultWindowMinutes;
                if (InvalidWindow(window) is { } invalid)
                {
                    return invalid;
                }

                context.Response.Headers.CacheControl = "no-store";
                return Results.Ok(Source(context).Read(TimeSpan.FromMinutes(window)));
            })
            .WithName("DashboardState")
            .WithSummary("The dashboard's figures, chart history, dead letters by reason, open gaps and instances.")
            .Produces<DashboardState>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        endpoints.MapGet("/api/dashboard/cluster", async (HttpContext context, OwnerForwarder forwarder, int? minutes) =>
            {
                var window = minutes ?? DefaultWindowMinutes;
                if (InvalidWindow(window) is { } invalid)
                {
                    return invalid;
                }

                context.Response.Headers.CacheControl = "no-store";
                var local = Source(context).Read(TimeSpan.FromMinutes(window));
                return Results.Ok(await ClusterDashboard.GatherAsync(local, TimeSpan.FromMinutes(window), forwarder, context.RequestAborted));
            })
            .WithName("DashboardCluster")
            .WithSummary("The dashboard of the whole application from any instance: every instance's state, lag and partitions, the figures and one chart history merged from all of them.")
            .Produces<ClusterDashboardState>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return endpoints;
    }

    /// <summary>The problem answer for a chart window outside 1..<see cref="MaxWindowMinutes"/> minutes, else null.</summary>
    private static IResult? InvalidWindow(int window) => window is < 1 or > MaxWindowMinutes
        ? Results.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid chart window",
            detail: $"minutes must be between 1 and {MaxWindowMinutes} (was {window}).")
        : null;
}
