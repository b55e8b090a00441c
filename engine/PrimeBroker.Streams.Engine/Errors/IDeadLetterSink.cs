using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>Writes a record to a dead-letter topic inside the current transaction.</summary>
/// <remarks>Given to error handlers for the duration of one call, on the stream thread; not thread-safe and not to be
/// kept.</remarks>
public interface IDeadLetterSink
{
    /// <summary>Queues a record for <paramref name="topic"/> in the task's current transaction: it is visible to
    /// read_committed readers only when the transaction commits, and dropped if it aborts.</summary>
    /// <param name="topic">The dead-letter topic, used as is; the engine does not create it.</param>
    /// <param name="key">Key bytes; null for none. The partition is murmur2 of the key (round-robin when null).</param>
    /// <param name="value">Value bytes; null for none.</param>
    /// <param name="headers">Headers to write (copied); the engine adds its <c>pbs.origin</c> header only when the
    /// topology reads the topic back (a repartition topic).</param>
    void Send(string topic, byte[]? key, byte[]? value, Headers headers);
}
