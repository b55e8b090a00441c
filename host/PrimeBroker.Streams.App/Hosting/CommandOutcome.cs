namespace PrimeBroker.Streams.App.Hosting;

/// <summary>How a command's work ended when it stopped the host itself: a background service that fails records the
/// reason here, so the command exits with 1 and prints it (the host alone would only log it).</summary>
internal sealed class CommandOutcome
{
    private string? _failureReason;

    /// <summary>The first recorded failure, or null.</summary>
    internal string? FailureReason => Volatile.Read(ref _failureReason);

    internal void Fail(string reason) => Interlocked.CompareExchange(ref _failureReason, reason, null);
}
