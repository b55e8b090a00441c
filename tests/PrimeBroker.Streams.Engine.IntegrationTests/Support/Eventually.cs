namespace PrimeBroker.Streams.Engine.IntegrationTests.Support;

/// <summary>Bounded waits on a condition, polled on a timer; a timeout fails with the caller's description and the
/// last observed state. A <see cref="PrimeBroker.Streams.Engine.Errors.StoreUnavailableException"/> from the condition counts as not reached yet.</summary>
internal static class Eventually
{
    internal static async Task True(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
        var deadline = DateTime.UtcNow + timeout;
        while (!Holds(condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not reached within {timeout.TotalSeconds:0.#} s: {describe()}");
            }

            await timer.WaitForNextTickAsync();
        }
    }

    /// <summary>A query that is not available now (rebalance, restore) is "not yet", like a false condition.</summary>
    private static bool Holds(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (PrimeBroker.Streams.Engine.Errors.StoreUnavailableException)
        {
            return false;
        }
    }
}
