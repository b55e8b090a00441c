namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>Where the record that is being processed came from. Absent inside a punctuator.</summary>
public sealed record RecordMetadata(string Topic, int Partition, long Offset);
