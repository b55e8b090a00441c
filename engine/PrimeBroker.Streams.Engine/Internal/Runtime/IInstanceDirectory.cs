using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// Which instance (application server) owns which input partitions: what stream threads announce after each rebalance,
/// what interactive queries route by, and what standby placement reads (<see cref="StandbyPlacement"/>). The run-time
/// implementation is <see cref="InstanceDirectory"/> (a compacted topic); tests share one in memory between members.
/// </summary>
internal interface IInstanceDirectory
{
    /// <summary>This instance's application server (<c>host:port</c>): its id in the directory.</summary>
    string Server { get; }

    /// <summary>Announces what <paramref name="member"/> (a stream thread of this instance) owns now.</summary>
    void Announce(string member, IEnumerable<TopicPartition> partitions);

    /// <summary>The application server whose latest announcement claims <paramref name="partition"/>, or null.</summary>
    string? OwnerOf(TopicPartition partition);

    /// <summary>Every announced server with the partitions it owns now (a partition counted for its latest claim only).</summary>
    IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Owners();
}
