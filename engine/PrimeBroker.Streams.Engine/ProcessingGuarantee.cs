namespace PrimeBroker.Streams.Engine;

/// <summary>The delivery guarantee of a <see cref="StreamsApplication"/>.</summary>
public enum ProcessingGuarantee
{
    /// <summary>One Kafka transaction per stream thread covers outputs, changelogs, commit markers and input offsets
    /// (Kafka Streams' exactly_once_v2). The default.</summary>
    ExactlyOnceV2,

    /// <summary>No transactions: outputs may repeat after a failure; state stays exact through the commit markers.</summary>
    AtLeastOnce,
}
