namespace PrimeBroker.Streams.App.Streams;

/// <summary>
/// The engine's latency-related client settings for the kind of cluster this instance runs against (see host/README.md,
/// "Latency settings per cluster kind").
/// </summary>
/// <param name="FetchWaitMax">fetch.wait.max.ms of the stream, restore and global consumers; null keeps librdkafka's
/// default (500 ms).</param>
/// <param name="TransactionalGroupOffsets">Whether every transaction also commits every task's input offsets to the
/// group (<c>SendOffsetsToTransaction</c>).</param>
internal sealed record ClusterLatencyDefaults(TimeSpan? FetchWaitMax, bool TransactionalGroupOffsets)
{
    /// <summary>An embedded cluster (librdkafka's mock, in <c>demo</c> or a <c>dev-cluster</c>) answers an empty fetch
    /// only after the full fetch wait, even when data arrives meanwhile, so at low load every consumer hop waits about
    /// half of it; 5 ms keeps that hop small at the cost of more fetch requests, which are cheap in-process. It stores
    /// no transactional offsets (the engine's positions travel in its commit markers), so sending them is a round trip
    /// for nothing.</summary>
    internal static ClusterLatencyDefaults Embedded { get; } = new(TimeSpan.FromMilliseconds(5), TransactionalGroupOffsets: false);

    /// <summary>A real broker answers a fetch as soon as data arrives, so librdkafka's default wait costs no latency and
    /// saves empty fetches; transactional offsets stay on, so standard tools see the group's position.</summary>
    internal static ClusterLatencyDefaults RealCluster { get; } = new(FetchWaitMax: null, TransactionalGroupOffsets: true);

    /// <summary>The defaults for a real cluster or an embedded one.</summary>
    internal static ClusterLatencyDefaults For(bool realCluster) => realCluster ? RealCluster : Embedded;
}
