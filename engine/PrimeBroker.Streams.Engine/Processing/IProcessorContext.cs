using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>
/// What a processor sees of its task. Valid from <see cref="IProcessor{TKeyIn,TValueIn,TKeyOut,TValueOut}.Init"/> until
/// close, and only on the task's stream thread.
/// </summary>
public interface IProcessorContext<TKeyOut, TValueOut>
{
    /// <summary>The application id (consumer group and prefix of internal topics).</summary>
    string ApplicationId { get; }

    /// <summary>The task this processor instance belongs to.</summary>
    TaskId TaskId { get; }

    /// <summary>Source of the record being processed; null inside a punctuator.</summary>
    RecordMetadata? RecordMetadata { get; }

    /// <summary>The highest record timestamp this task has processed (ms since epoch), or -1 before the first.</summary>
    long CurrentStreamTimeMs { get; }

    /// <summary>The wall clock (ms since epoch) as the engine sees it; the test driver controls it.</summary>
    long CurrentSystemTimeMs { get; }

    /// <summary>Sends a record to every child, or only to the child named <paramref name="childName"/>.</summary>
    /// <remarks>Synchronous: the children (and their children) process the record before this call returns. A
    /// processor with no children (a leaf) forwards to nobody.</remarks>
    /// <param name="record">The record; its timestamp and headers go along, and sinks write them.</param>
    /// <param name="childName">The node name of one child; null for all children.</param>
    /// <exception cref="ArgumentException">No child has that name.</exception>
    void Forward(Record<TKeyOut, TValueOut> record, string? childName = null);

    /// <summary>A store connected to this processor (named in <c>Process(..., storeNames)</c>) or a global store.</summary>
    /// <remarks>The same instance is returned for every call with the same name. Writes to a global store throw
    /// <see cref="InvalidOperationException"/>: only its topic feeds it.</remarks>
    /// <param name="name">The store's name.</param>
    /// <typeparam name="TKey">The store's key type, as declared in its builder.</typeparam>
    /// <typeparam name="TValue">The store's value type, as declared in its builder.</typeparam>
    /// <returns>The task's store, not thread-safe (see <see cref="IKeyValueStore{TKey,TValue}"/>).</returns>
    /// <exception cref="InvalidOperationException">The store is not connected to this processor, or its key and value
    /// types differ from <typeparamref name="TKey"/> and <typeparamref name="TValue"/>.</exception>
    IKeyValueStore<TKey, TValue> GetStateStore<TKey, TValue>(string name);

    /// <summary>
    /// Runs <paramref name="punctuator"/> every <paramref name="interval"/> of stream or wall-clock time, on the
    /// stream thread, with the time (ms) that triggered it. Forwarded records and store writes join the task's current
    /// transaction like those made while processing.
    /// </summary>
    /// <remarks>The first run is due one interval after now (wall-clock), or one interval after the task's current
    /// stream time (stream time). An exception thrown by <paramref name="punctuator"/> is not passed to the exception
    /// handlers: it stops the task with a <see cref="Errors.TaskFailedException"/>.</remarks>
    /// <param name="interval">Time between runs; at least 1 ms, whole milliseconds.</param>
    /// <param name="type">Which clock drives it.</param>
    /// <param name="punctuator">Called with the triggering time in ms since the Unix epoch.</param>
    /// <returns>A handle to cancel the punctuator.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is below 1 ms.</exception>
    ICancellable Schedule(TimeSpan interval, PunctuationType type, Action<long> punctuator);
}
