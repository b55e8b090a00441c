using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Hosting;

/// <summary>
/// Runs this instance's <see cref="StreamsApplication"/> inside the generic host. Start: provisions internal topics,
/// restores global stores and starts the stream threads (tasks restore asynchronously; <c>/health/ready</c> turns ready
/// when they run). Stop (Ctrl-C, SIGTERM, host shutdown): each thread commits, leaves the group and closes its tasks.
/// </summary>
/// <remarks>The stop begins as soon as the host starts stopping (<see cref="StoppingAsync"/>), before any hosted
/// service's <c>StopAsync</c>: the services registered after this one (publisher, statistics sampler, claim watcher)
/// would otherwise stop first, and every moment before the stream threads leave the group is a moment the instance's
/// partitions wait for their next owner (measured under load: about 0.8 s from "shutting down" to the streams stop).
/// Nothing those services do on their way down needs the stream threads.</remarks>
internal sealed class StreamsHostedService(IServiceProvider services, ILogger<StreamsHostedService> logger) : IHostedLifecycleService
{
    private StreamsApplication? _application;
    private Task? _stopping;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _application = (StreamsApplication)services.GetService(typeof(StreamsApplication))!;
        await _application.StartAsync(cancellationToken);
        AppLog.StreamsStarted(logger, _application.Config.ApplicationId, _application.Config.ApplicationServer ?? "none");
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts the application's stop (the threads commit and leave the group); <see cref="StopAsync"/> waits for it.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping ??= _application?.StopAsync(CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <remarks>Waits for the threads at most until the host's shutdown timeout (<paramref name="cancellationToken"/>).
    /// The application's own stop waits up to its close timeout, the same value (<c>Host:ShutdownTimeout</c>), but it
    /// starts after the steps stopped before it, so the host's deadline comes first.</remarks>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_application is null)
        {
            return;
        }

        _stopping ??= _application.StopAsync(cancellationToken);
        if (await ShutdownDeadline.WithinAsync(_stopping, cancellationToken))
        {
            AppLog.StreamsStopped(logger, _application.Config.ApplicationId);
        }
        else
        {
            AppLog.StreamsStopAbandoned(logger, _application.Config.ApplicationId);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
