namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>Cancels a scheduled punctuator.</summary>
public interface ICancellable
{
    /// <summary>Stops the punctuator: it does not run again. Idempotent. Call it on the stream thread (from the
    /// processor or a punctuator).</summary>
    void Cancel();
}
