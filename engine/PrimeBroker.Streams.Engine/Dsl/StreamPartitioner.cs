namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>
/// Chooses the partition of an output record. Returns a partition in [0, partitionCount), or null for the default
/// (Java-compatible murmur2 of the serialized key, so Java producers and consumers agree).
/// </summary>
public delegate int? StreamPartitioner<in TKey, in TValue>(string topic, TKey key, TValue value, int partitionCount);
