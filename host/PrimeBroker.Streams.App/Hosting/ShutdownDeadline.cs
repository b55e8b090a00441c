namespace PrimeBroker.Streams.App.Hosting;

/// <summary>
/// Keeps a step of the host's shutdown within the host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>, whose
/// token every <c>StopAsync</c> receives; <c>Host:ShutdownTimeout</c>). Some steps do not stop waiting when that token
/// fires: the streams application joins its threads for up to its own close timeout (the same value, counted from a
/// later start), and deleting a directory or tearing down the embedded cluster cannot be cancelled at all. Awaited through here, such a step stops holding up the
/// shutdown at the deadline; it goes on in the background until the process exits.
/// </summary>
internal static class ShutdownDeadline
{
    /// <summary>Waits for <paramref name="step"/> until <paramref name="deadline"/> fires.</summary>
    /// <returns>True when the step completed (its exception, if any, is thrown); false when the deadline came first.</returns>
    internal static async Task<bool> WithinAsync(Task step, CancellationToken deadline)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            await step.WaitAsync(deadline).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !step.IsCompleted)
        {
            // Observed later if it fails, so an abandoned step never raises an unobserved-task exception.
            _ = step.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return false;
        }
    }
}
