using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.Kafka;

/// <summary>
/// The commit marker closes each transaction's records in a store's changelog partition. Its value is a
/// <see cref="State.StoreCheckpoint"/>: the commit sequence, the attempt id and the task's input offsets, so the
/// input position travels with the state it belongs to (the embedded cluster keeps no transactional group offsets).
/// </summary>
/// <remarks>Markers are recognised by the header <c>pbs.commit</c>, never by key. All markers share one key, so
/// compaction on a real cluster keeps only the newest, which is the one a restore needs.</remarks>
internal static class CommitMarkers
{
    public const string HeaderName = "pbs.commit";

    public static byte[] Key { get; } = "\0pbs.commit"u8.ToArray();

    public static Headers Headers => new() { { HeaderName, [1] } };

    public static bool IsMarker(Headers? headers) => headers is not null && headers.TryGetLastBytes(HeaderName, out _);
}
