using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Serialization.Embedded.Internal;

namespace PrimeBroker.Streams.Serialization.Embedded;

/// <summary>
/// An in-memory schema registry that speaks the subset of the Confluent Schema Registry REST API used by
/// <c>CachedSchemaRegistryClient</c> 2.14 and the Avro serdes: register, look up, get by id, subject and version,
/// list, compatibility check, config, and an always-empty associations query. For development clusters and tests:
/// nothing is persisted, there is no authentication, and it listens on 127.0.0.1 by default.
/// </summary>
/// <remarks>
/// <para>Lifecycle: <see cref="StartAsync"/> binds the port and returns once requests are served; <see cref="DisposeAsync"/>
/// stops listening and forgets every schema. Safe for concurrent requests.</para>
/// <para>Schema ids are global and start at 1; the same schema under any subject reuses its id. Each subject is
/// checked against its compatibility level (BACKWARD unless configured) on registration; an incompatible schema is
/// refused with HTTP 409, error_code 409 and the reasons, an unparseable one with 422, error_code 42201.</para>
/// </remarks>
public sealed class EmbeddedSchemaRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private EmbeddedSchemaRegistry(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:41234</c>; pass it as <c>SchemaRegistryConfig.Url</c>.</summary>
    public string Url { get; }

    /// <summary>Starts a registry and waits until it listens.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    /// <exception cref="IOException">The port is in use.</exception>
    public static async Task<EmbeddedSchemaRegistry> StartAsync(
        EmbeddedSchemaRegistryOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmbeddedSchemaRegistryOptions();
        options.Validate();

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EmbeddedSchemaRegistry).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.ListenAddress, options.Port));

        WebApplication app = builder.Build();
        RegistryEndpoints.Map(app, new InMemorySchemaStore(options.DefaultCompatibility));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        string url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        return new EmbeddedSchemaRegistry(app, url);
    }

    /// <summary>Stops listening and releases the port. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
