using PrimeBroker.Streams.Engine.Internal.Processing;


namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>What the test driver needs from its transaction besides the collector and the commit: the reactions of a
/// stream thread and the simulated process lifecycle.</summary>
internal interface IDriverTransaction : IRecordCollector, ITransaction, IDisposable
{
    /// <summary>Called before the Kafka commit (false) and after it (true), to simulate a crash there.</summary>
    Action<bool>? CrashHook { get; set; }

    /// <summary>Aborts the open transaction (a stream thread's reaction to an abortable error).</summary>
    void Abort();

    /// <summary>A new producer with the same transactional id, whose initialisation aborts the open transaction.</summary>
    void RecreateProducer();

    /// <summary>The process died and starts again: with a <paramref name="timeout"/>, its open transaction stays open
    /// until the broker aborts it (a new owner has another transactional id); without, it is aborted at once (the
    /// restarted process's producer fences the old one).</summary>
    void Abandon(TimeSpan? timeout);
}
