namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>Cancels a scheduled punctuator.</summary>
public interface ICancellable
{
    void Cancel();
}
