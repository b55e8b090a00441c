using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using PrimeBroker.Streams.App.Dashboard;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Http;
using PrimeBroker.Streams.App.Options;

namespace PrimeBroker.Streams.App.Commands;

/// <summary><c>run</c>: one prime-broker instance against any cluster and registry, the production entry point. Serves
/// the HTTP API; instances with the same application id share the partitions and forward queries to each other.</summary>
internal sealed class RunCommand : IHostCommand
{
    public string Name => "run";

    public string Summary => "run one prime-broker instance (streams application + HTTP API) against a cluster and registry";

    public IReadOnlyList<CommandSwitch> Switches { get; } =
    [
        .. CommonSwitches.Connection,
        CommonSwitches.ApplicationServer,
        CommonSwitches.StateDir,
        CommonSwitches.Threads,
        CommonSwitches.ApplicationId,
        CommonSwitches.Urls,
    ];

    public IHost Build(CommandContext context) => BuildWebHost(context, before: null, after: null);

    /// <summary>The web host of a prime-broker instance. Hosted services start in registration order:
    /// <paramref name="before"/> registers what must start before the streams application (the demo's cluster),
    /// <paramref name="after"/> what needs it running (the demo's generator and status line).</summary>
    internal static WebApplication BuildWebHost(CommandContext context, Action<WebApplicationBuilder>? before, Action<WebApplicationBuilder>? after)
    {
        var builder = CommandHosts.CreateWebBuilder(context);
        before?.Invoke(builder);
        builder.Services.AddPrimeBroker(builder.Configuration);
        after?.Invoke(builder);
        var http = builder.Configuration.GetSection(HttpOptions.Section).Get<HttpOptions>() ?? new HttpOptions();
        builder.WebHost.UseUrls(http.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var app = builder.Build();
        app.UseWriteAuthentication();
        app.MapPrimeBrokerApi();
        app.MapInstrumentApi();
        app.MapTopologyApi();
        app.MapDashboard();
        return app;
    }
}
