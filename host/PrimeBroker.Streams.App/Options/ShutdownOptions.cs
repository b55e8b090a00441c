namespace PrimeBroker.Streams.App.Options;

/// <summary>How long a stop may take (section <c>Host</c>): one value for the generic host's shutdown timeout
/// (<c>HostOptions.ShutdownTimeout</c>), the streams application's close of its threads
/// (<c>StreamsConfig.CloseTimeout</c>) and, with a margin, deploy/'s grace periods (Kubernetes
/// <c>terminationGracePeriodSeconds</c>, compose <c>stop_grace_period</c>).</summary>
internal sealed class ShutdownOptions
{
    internal const string Section = "Host";

    /// <summary>The default: long enough for a stream thread's last commit on a slow broker (a commit that outlives the
    /// transaction timeout, 5 to 10 s, is aborted by the broker anyway), its LeaveGroup and the publisher's flush; short
    /// enough to fit Kubernetes' default grace period of 30 s plus a margin.</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long Ctrl-C or SIGTERM may take before the program exits anyway, leaving the unfinished steps behind
    /// (a stream thread left behind is as if killed: its transaction is aborted and its tasks recover at the next
    /// start). Default 30 s; 1 s to 10 min.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultTimeout;

    public IEnumerable<string> Validate()
    {
        if (ShutdownTimeout < TimeSpan.FromSeconds(1) || ShutdownTimeout > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:{nameof(ShutdownTimeout)} must be between 00:00:01 and 00:10:00 (was {ShutdownTimeout}).";
        }
    }
}
