using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Hosting;
using PrimeBroker.Streams.App.Options;

namespace PrimeBroker.Streams.App.Commands;

/// <summary>Creates the builders every command starts from: content root at the program's folder (so appsettings.json is
/// found from any current directory), then appsettings.json, environment variables, and the command line on top.</summary>
internal static class CommandHosts
{
    internal const string ApplicationName = "PrimeBroker.Streams.App";

    /// <summary>A generic host builder for a command without HTTP.</summary>
    internal static HostApplicationBuilder CreateBuilder(CommandContext context)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = ApplicationName,
            ContentRootPath = AppContext.BaseDirectory,
        });
        Apply(builder, context);
        return builder;
    }

    /// <summary>A web application builder for a command that serves the HTTP API.</summary>
    internal static WebApplicationBuilder CreateWebBuilder(CommandContext context)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = ApplicationName,
            ContentRootPath = AppContext.BaseDirectory,
        });
        Apply(builder, context);
        return builder;
    }

    private static void Apply(IHostApplicationBuilder builder, CommandContext context)
    {
        builder.Configuration.AddInMemoryCollection(context.Settings);
        builder.Services.AddSingleton(context.Output);
        builder.Services.AddSingleton<CommandOutcome>();
        // One stop budget (Host:ShutdownTimeout) for the host and the streams application (StreamsFactory).
        builder.Services.AddValidatedOptions<ShutdownOptions>(builder.Configuration, ShutdownOptions.Section, o => o.Validate());
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.ShutdownTimeout);
    }
}
