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
    /// <exception cref="ArgumentException">No child has that name.</exception>
    void Forward(Record<TKeyOut, TValueOut> record, string? childName = null);

    /// <summary>A store connected to this processor (named in <c>Process(..., storeNames)</c>) or a global store.</summary>
    /// <exception cref="InvalidOperationException">The store is not connected to this processor.</exception>
    IKeyValueStore<TKey, TValue> GetStateStore<TKey, TValue>(string name);

    /// <summary>
    /// Runs <paramref name="punctuator"/> every <paramref name="interval"/> of stream or wall-clock time, on the
    /// stream thread, with the time (ms) that triggered it. Forwarded records and store writes join the task's current
    /// transaction like those made while processing.
    /// </summary>
    ICancellable Schedule(TimeSpan interval, PunctuationType type, Action<long> punctuator);
}
