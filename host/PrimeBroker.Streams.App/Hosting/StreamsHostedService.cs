using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Hosting;

/// <summary>
/// Runs this instance's <see cref="StreamsApplication"/> inside the generic host. Start: provisions internal topics,
/// restores global stores and starts the stream threads (tasks restore asynchronously; <c>/health/ready</c> turns ready
/// when they run). Stop (Ctrl-C, SIGTERM, host shutdown): each thread commits, closes its tasks and leaves the group.
/// </summary>
internal sealed class StreamsHostedService(IServiceProvider services, ILogger<StreamsHostedService> logger) : IHostedService
{
    private StreamsApplication? _application;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _application = (StreamsApplication)services.GetService(typeof(StreamsApplication))!;
        await _application.StartAsync(cancellationToken);
        AppLog.StreamsStarted(logger, _application.Config.ApplicationId, _application.Config.ApplicationServer ?? "none");
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

        if (await ShutdownDeadline.WithinAsync(_application.StopAsync(cancellationToken), cancellationToken))
        {
            AppLog.StreamsStopped(logger, _application.Config.ApplicationId);
        }
        else
        {
            AppLog.StreamsStopAbandoned(logger, _application.Config.ApplicationId);
        }
    }
}
