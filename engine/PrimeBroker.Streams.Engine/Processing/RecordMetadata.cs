namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>Where the record that is being processed came from. Absent inside a punctuator.</summary>
/// <param name="Topic">The topic it was consumed from (internal topics with the application-id prefix).</param>
/// <param name="Partition">Its partition (the task's partition).</param>
/// <param name="Offset">Its offset.</param>
public sealed record RecordMetadata(string Topic, int Partition, long Offset);
