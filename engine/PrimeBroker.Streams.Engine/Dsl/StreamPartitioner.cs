namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>
/// Chooses the partition of an output record. Returns a partition in [0, partitionCount), or null for the default
/// (Java-compatible murmur2 of the serialized key, so Java producers and consumers agree).
/// </summary>
/// <remarks>Called on the stream thread for every record the sink writes, after the record was serialized. Must be
/// deterministic: reprocessing after a failure must send a record to the same partition.</remarks>
/// <param name="topic">The topic written, as resolved (internal topics with the application-id prefix).</param>
/// <param name="key">The record's key (may be null).</param>
/// <param name="value">The record's value (may be null).</param>
/// <param name="partitionCount">The topic's partition count, at least 1.</param>
/// <typeparam name="TKey">Type of the record keys.</typeparam>
/// <typeparam name="TValue">Type of the record values.</typeparam>
public delegate int? StreamPartitioner<in TKey, in TValue>(string topic, TKey key, TValue value, int partitionCount);
