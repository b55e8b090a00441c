using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Streams;

namespace PrimeBroker.Streams.App.Hosting;

/// <summary>
/// The demo's console: once the HTTP server listens, prints <c>dashboard: http://127.0.0.1:port/</c>, then every
/// <see cref="DemoOptions.StatusInterval"/> one status line, e.g.
/// <c>status: in 40.0/s applied 39.0/s | p50 120 ms p99 190 ms | dlq 3 | gaps 0 | lag 0 | headroom 1.2% | Running</c>,
/// and a warning line when the fullest changelog partition passes <see cref="DemoOptions.HeadroomWarning"/>.
/// </summary>
internal sealed class StatusPrinter(LiveStatistics statistics, EmbeddedClusterHeadroom headroom, IServer server, IHostApplicationLifetime lifetime,
    IOptions<DemoOptions> options, CommandOutput output, ILogger<StatusPrinter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(unknown)";
        Write($"dashboard: {address.TrimEnd('/')}/");
        Write("Ctrl-C stops the demo.");
        var warnedAt = 0.0;
        using var timer = new PeriodicTimer(options.Value.StatusInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var s = statistics.Snapshot();
            var fullest = headroom.Monitor?.Fill();
            Write(Format(s) + (fullest is { } f ? $" | fullest {f.Partition}" : string.Empty));
            if (headroom.Monitor?.Fill() is { } fill && fill.Fill >= options.Value.HeadroomWarning && fill.Fill >= warnedAt + 0.05)
            {
                warnedAt = fill.Fill;
                Write(fill.Fill >= 1
                    ? $"WARNING: changelog partition {fill.Partition} has passed the embedded cluster's 5 MiB cap: its head is gone and a restore of that store is impossible. Restart the demo."
                    : $"WARNING: changelog partition {fill.Partition} is {fill.Fill:P0} full against the embedded cluster's 5 MiB cap; past 100% a restore becomes impossible. Lower --rate or restart the demo soon.");
                AppLog.HeadroomLow(logger, fill.Partition, fill.Fill * 100);
            }
        }
    }

    internal static string Format(LiveSnapshot s) => string.Create(CultureInfo.InvariantCulture,
        $"status: in {s.TradesInPerSecond:F1}/s applied {s.TradesAppliedPerSecond:F1}/s | p50 {Ms(s.LatencyP50Ms)} p99 {Ms(s.LatencyP99Ms)} | dlq {s.DeadLetters} | gaps {s.OpenGaps} | lag {s.ConsumerLag} | headroom {(s.EmbeddedClusterHeadroom is { } h ? (h * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a")} | {s.State}");

    private static string Ms(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:F0} ms") : "- ms";

    private void Write(string line)
    {
        lock (output.Writer)
        {
            output.Writer.WriteLine(line);
            output.Writer.Flush();
        }
    }
}
