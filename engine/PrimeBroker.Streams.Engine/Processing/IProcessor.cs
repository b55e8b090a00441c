namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>
/// A node of the Processor API. One instance exists per task; the engine calls it from the task's stream thread only,
/// so an implementation needs no locking for its own fields.
/// </summary>
/// <remarks>
/// <para>Lifecycle:</para>
/// <list type="number">
/// <item><see cref="Init"/> once when the task starts (after its stores were restored);</item>
/// <item><see cref="Process"/> for each record in partition order, and the punctuators it scheduled, all on one
/// thread;</item>
/// <item><see cref="Close"/> when the task is closed cleanly (partitions revoked, shutdown, the task failed). It is not
/// called when the stream thread dies, when partitions are lost, or when the test driver simulates a crash.</item>
/// </list>
/// <para>A task that restarts (rebalance, restore after a crash) gets a new instance from the supplier. Records
/// processed after the last commit are processed again after a failure, so side effects outside the task's stores and
/// outputs may repeat.</para>
/// </remarks>
/// <typeparam name="TKeyIn">Type of the keys received.</typeparam>
/// <typeparam name="TValueIn">Type of the values received.</typeparam>
/// <typeparam name="TKeyOut">Type of the keys forwarded.</typeparam>
/// <typeparam name="TValueOut">Type of the values forwarded.</typeparam>
public interface IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>
{
    /// <summary>Prepares the processor: keep <paramref name="context"/>, get stores, schedule punctuators. Do not
    /// forward from here.</summary>
    /// <param name="context">The task's context; valid until <see cref="Close"/>, on the stream thread only.</param>
    /// <remarks>An exception thrown here is not passed to the exception handlers; the task does not start.</remarks>
    void Init(IProcessorContext<TKeyOut, TValueOut> context);

    /// <summary>Processes one record: read and write stores, forward zero or more records through the context.</summary>
    /// <param name="record">The record; its key and value may be null.</param>
    /// <remarks>An exception goes to the processing exception handler with this node's name; store writes and
    /// forwards made before it stay in the transaction if the handler continues.</remarks>
    void Process(Record<TKeyIn, TValueIn> record);

    /// <summary>Releases what the processor holds. The default does nothing. The task's stores are closed by the
    /// engine; do not forward or write from here.</summary>
    void Close()
    {
    }
}
