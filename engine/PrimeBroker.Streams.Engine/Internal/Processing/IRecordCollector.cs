using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>
/// Where a task's output goes: the thread's transactional producer at run time, in-memory topics in the test driver.
/// Everything sent between two commits belongs to one transaction.
/// </summary>
internal interface IRecordCollector
{
    /// <summary>Queues a record; a null partition means murmur2 of the key (round-robin for a null key).</summary>
    void Send(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp);

    /// <summary>Queues a record and reports the offset it was written at once delivered.</summary>
    void Send(string topic, int partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, Action<long> onDelivered);

    int PartitionCount(string topic);
}
