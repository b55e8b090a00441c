namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>
/// A node of the Processor API. One instance exists per task; the engine calls it from the task's stream thread only,
/// so an implementation needs no locking for its own fields.
/// </summary>
/// <remarks>Lifecycle: <see cref="Init"/> once when the task starts (after its stores were restored), then
/// <see cref="Process"/> for each record in partition order, then <see cref="Close"/> when the task is closed
/// (rebalance, shutdown or crash recovery). Throwing from <see cref="Process"/> goes to the processing exception
/// handler.</remarks>
public interface IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>
{
    void Init(IProcessorContext<TKeyOut, TValueOut> context);

    void Process(Record<TKeyIn, TValueIn> record);

    void Close()
    {
    }
}
