using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PrimeBroker.Streams.App.Running;

namespace PrimeBroker.Streams.App.Dashboard;

/// <summary>The dashboard's endpoints. Placeholder until the dashboard lands: <c>GET /</c> answers with links to the
/// API and <c>GET /api/dashboard/live</c> with the latest <see cref="LiveSnapshot"/>.</summary>
public static class DashboardEndpoints
{
    /// <summary>Maps <c>GET /</c> and <c>GET /api/dashboard/*</c>.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => Results.Content(
            "<!doctype html><title>PrimeBroker.Streams</title><h1>PrimeBroker.Streams</h1><ul>" +
            "<li><a href=\"/api/dashboard/live\">live statistics</a></li><li><a href=\"/gaps\">gaps</a></li>" +
            "<li><a href=\"/dlq\">dead letters</a></li><li><a href=\"/metrics\">metrics</a></li><li><a href=\"/openapi/v1.json\">OpenAPI</a></li></ul>",
            "text/html")).ExcludeFromDescription();
        app.MapGet("/api/dashboard/live", (LiveStatistics statistics) => Results.Ok(statistics.Snapshot())).ExcludeFromDescription();
        return app;
    }
}
