namespace PrimeBroker.Streams.App.Dashboard;

/// <summary>Reads what the dashboard shows. The running host's source is <see cref="LiveDashboardSource"/>; tests may
/// register another in DI, which <see cref="DashboardEndpoints"/> then uses instead.</summary>
/// <remarks>Called from HTTP request threads, concurrently: implementations must be thread-safe.</remarks>
internal interface IDashboardSource
{
    /// <summary>The current state with <paramref name="window"/> of per-second history.</summary>
    /// <param name="window">Positive; the endpoint bounds it to 1 to 60 minutes.</param>
    DashboardState Read(TimeSpan window);
}
